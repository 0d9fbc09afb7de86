// The public functions listener: a few workers that each hold every function the host serves
// and answer `/{slug}` on one shared port (SO_REUSEPORT; the kernel spreads connections over
// them). Clients reach them without the Anvil server in between — the SDK's `functionsUrl` —
// which is how InsForge's cloud serves functions ("subhosting": one Deno deployment per project
// with a path router). The price is isolation: the functions of the project share these workers'
// isolates, as they do in InsForge's cloud; the server's /functions/:slug proxy keeps one worker
// per function.
//
// What these workers serve follows what the host is given: a deploy adds or replaces a function
// in all of them (code that fails to load leaves the old version), a removal removes it, a
// secrets push replaces the secrets. A worker that dies (heap exhausted, or stopped because it was
// stuck) is replaced and given every function again.
//
// Events for the parent (protocol.ts reportEvent): {"event":"direct-listening","port":N} once the
// port is served, {"event":"direct-unavailable","reason":...} when it cannot be (a port taken by
// another process is retried every few seconds; the first failure is reported).

import { reportEvent } from './protocol.ts';
import { type FunctionWorker, type Limits, SpareWorkers } from './worker_pool.ts';

/** The server's CORS policy (its CorsFilter), which the direct answers follow too. */
export interface CorsPolicy {
  exposed: string;
  methods: string;
  allowedHeaders: string;
}

const RETRY_MS = 2_000;
const REPLACE_DELAY_MS = 1_000;


export class Subhosting {
  private readonly workers = new Set<FunctionWorker>();
  private readonly functions = new Map<string, { version: string; code: string }>();
  private secrets: Record<string, string> = {};
  private port: number;
  private reportedBusy = false;
  private stopped = false;

  constructor(
    private readonly hostname: string,
    port: number,
    private readonly count: number,
    private readonly limits: Limits,
    private readonly spares: SpareWorkers,
    private readonly cors: CorsPolicy,
    /** The port is held by the host this one replaces (a recycle): join it instead of waiting. */
    private readonly shared: boolean,
  ) {
    this.port = port;
  }

  /**
   * Starts serving. A port held by anything else is not shared: SO_REUSEPORT would let another
   * process of the same user (a second Anvil server) take half of the connections, so a plain
   * bind is tried first, and a taken port is retried until it is free.
   */
  start(): void {
    if (this.stopped) return;
    if (this.port !== 0 && !this.shared) {
      try {
        Deno.listen({ hostname: this.hostname, port: this.port }).close();
      } catch (error) {
        const busy = error instanceof Deno.errors.AddrInUse;
        if (!busy || !this.reportedBusy) {
          reportEvent('direct-unavailable', {
            reason: busy ? `port ${this.port} is in use; retrying every ${RETRY_MS / 1000} s` : (error as Error).message,
          });
        }
        this.reportedBusy ||= busy;
        if (busy) setTimeout(() => this.start(), RETRY_MS);
        return;
      }
    }
    this.startWorkers().then(
      () => reportEvent('direct-listening', { port: this.port }),
      (error) => reportEvent('direct-unavailable', { reason: (error as Error).message }),
    );
  }

  private async startWorkers(): Promise<void> {
    // The first worker binds (port 0 picks one); the others join the port it got.
    for (let i = 0; i < this.count; i++) await this.startWorker();
  }

  private async startWorker(): Promise<void> {
    const worker = await this.spares.take();
    worker.label = 'subhosting';
    // Added at once, so adds and removals sent while it starts queue up behind its start.
    this.workers.add(worker);
    let reply: Record<string, unknown>;
    try {
      reply = await worker.call({
        type: 'subhost',
        hostname: this.hostname,
        port: this.port,
        limits: { timeoutMs: this.limits.timeoutMs, maxConcurrency: this.limits.maxConcurrency },
        secrets: this.secrets,
        cors: this.cors,
        functions: [...this.functions].map(([slug, fn]) => ({ slug, ...fn })),
      }, this.limits.timeoutMs + 30_000);
    } catch (error) {
      this.workers.delete(worker);
      worker.die('subhosting failed to start');
      throw error;
    }
    this.port = reply.port as number;
    worker.port = this.port;
    worker.serving = true;
    worker.onDeath = (dead) => {
      this.workers.delete(dead);
      if (this.stopped) return;
      console.error('[runtime] a subhosting worker ended; starting a replacement');
      setTimeout(() => this.startWorker().catch((error) => {
        console.error(`[runtime] subhosting replacement failed: ${(error as Error).message}`);
      }), REPLACE_DELAY_MS);
    };
  }

  serves(slug: string, version: string): boolean {
    return this.functions.get(slug)?.version === version;
  }

  /**
   * Makes this version the one served. When it fails to load in any worker, the previous version
   * (or nothing) is put back everywhere and the load error is thrown.
   */
  async add(slug: string, version: string, code: string): Promise<void> {
    const previous = this.functions.get(slug);
    // Recorded first: a replacement worker starting meanwhile is given this version.
    this.functions.set(slug, { version, code });
    try {
      await this.tellAll({ type: 'add', slug, version, code });
    } catch (error) {
      if (previous) {
        this.functions.set(slug, previous);
        await this.tellAll({ type: 'add', slug, ...previous }).catch(() => {});
      } else {
        await this.remove(slug);
      }
      throw error;
    }
  }

  async remove(slug: string): Promise<void> {
    this.functions.delete(slug);
    await this.tellAll({ type: 'remove', slug }).catch(() => {});
  }

  async setSecrets(values: Record<string, string>): Promise<void> {
    this.secrets = values;
    await this.tellAll({ type: 'secrets', values }).catch(() => {});
  }

  private async tellAll(message: Record<string, unknown>): Promise<void> {
    const results = await Promise.allSettled([...this.workers].map((worker) => worker.call(message, this.limits.timeoutMs)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  stop(): void {
    this.stopped = true;
    for (const worker of this.workers) worker.die('runtime stopping');
    this.workers.clear();
  }
}
