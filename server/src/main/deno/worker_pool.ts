// Warm workers: a function version keeps its workers between invocations (new code or new
// secrets replace them), and one spare worker with the SDK already imported waits for the next
// function that needs one, so a deploy costs little more than evaluating the function's code.
// The host never sees invocations on the fast path: each worker serves them on its own port and
// reports its liveness through shared memory, which the host watches.
//
// What Deno 2.9 cannot do: stop a worker whose thread is stuck in JavaScript (a busy loop).
// `terminate()` returns, but the thread keeps running and its listener stays open (denoland/deno
// PR #35657). So a busy worker gets no new traffic, and a worker that stays stuck past the
// timeout makes the host ask to be replaced (see host.ts): only ending the process frees it.

import { Worker } from 'node:worker_threads';
import { workerMain } from './function_worker.ts';

export interface Limits {
  workersPerFunction: number;
  maxConcurrency: number;
  memoryMb: number;
  timeoutMs: number;
  spareWorkers: number;
}

const WORKER_SOURCE = `(${workerMain.toString()})()`;
/** Slots of a worker's vitals (BigInt64Array over a SharedArrayBuffer); see function_worker.ts. */
const VITALS = { HEARTBEAT: 0, INFLIGHT: 1, LAST_INVOCATION: 2, SLOTS: 3 };
/** The heartbeat ticks every 250 ms; a worker this long silent is busy and gets no new calls. */
const BUSY_SILENCE_MS = 2_000;
/** Silent this long with nothing to run, a worker is gone (its heap ran out); generous, as a starved machine delays timers. */
const IDLE_SILENCE_MS = 10_000;
/** Past the timeout, how long a worker running something may stay silent before it counts as stuck. */
const STUCK_GRACE_MS = 2_000;

export function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Every worker not yet stopped, including those draining after being replaced. */
const liveWorkers = new Set<FunctionWorker>();

/** One worker thread; once loaded it runs one function version and serves it on `port` (or, subhosting, all of them). */
export class FunctionWorker {
  readonly thread: Worker;
  private readonly vitals: BigInt64Array;
  private readonly waiters = new Map<string, (message: Record<string, unknown>) => void>();
  /** Answers awaited from a subhosting worker, by call id. */
  private readonly calls = new Map<number, { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private nextCall = 0;
  port = 0;
  route = '';
  label = 'spare';
  /** Set once its function is loaded: only then is its heartbeat watched (booting and loading have their own time limits). */
  serving = false;
  dead = false;
  onDeath: (worker: FunctionWorker) => void = () => {};

  constructor(limits: Limits) {
    const shared = new SharedArrayBuffer(VITALS.SLOTS * 8);
    this.vitals = new BigInt64Array(shared);
    Atomics.store(this.vitals, VITALS.HEARTBEAT, BigInt(Date.now()));
    this.thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { vitals: shared },
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb },
    });
    this.thread.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'reply') this.answer(message);
      else this.waiters.get(message.type as string)?.(message);
    });
    this.thread.on('error', (error: Error) => this.die(`Function worker crashed: ${error.message}`));
    this.thread.on('exit', () => this.die('Function worker exited'));
    liveWorkers.add(this);
  }

  get inflight(): number {
    return Number(Atomics.load(this.vitals, VITALS.INFLIGHT));
  }

  get lastInvocation(): number {
    return Number(Atomics.load(this.vitals, VITALS.LAST_INVOCATION));
  }

  silentFor(now: number): number {
    return now - Number(Atomics.load(this.vitals, VITALS.HEARTBEAT));
  }

  /**
   * Its event loop has stopped: a busy loop past the timeout, or a heap exhausted (Deno then
   * stops the isolate without telling anyone).
   */
  stuck(now: number, timeoutMs: number): boolean {
    return this.serving && this.silentFor(now) > (this.inflight > 0 ? timeoutMs + STUCK_GRACE_MS : IDLE_SILENCE_MS);
  }

  /** Resolves once the SDK is imported and the worker can take a function. */
  booted(): Promise<void> {
    return this.expect('booted', 'boot-error', 30_000).then(() => {});
  }

  /** Evaluates the function's code and starts serving it; rejects with the load error. */
  async load(message: Record<string, unknown>, timeoutMs: number): Promise<number> {
    this.label = String(message.slug);
    this.thread.postMessage({ type: 'load', ...message });
    const loaded = await this.expect('loaded', 'load-error', timeoutMs);
    this.port = loaded.port as number;
    this.route = loaded.route as string;
    this.serving = true;
    return this.port;
  }

  /** Sends a subhosting message and resolves with its reply (rejects with the error it reports, or the worker's death). */
  call(message: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(new Error('Function worker exited'));
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`Function did not finish loading within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.calls.delete(id);
        settle();
      };
      this.calls.set(id, {
        resolve: (reply) => done(() => resolve(reply)),
        reject: (error) => done(() => reject(error)),
      });
      this.thread.postMessage({ ...message, id });
    });
  }

  private answer(reply: Record<string, unknown>): void {
    const call = this.calls.get(reply.id as number);
    if (reply.error !== undefined) call?.reject(new Error(String(reply.error)));
    else call?.resolve(reply);
  }

  private expect(success: string, failure: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Function did not finish loading within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(success);
        this.waiters.delete(failure);
        this.waiters.delete('death');
      };
      this.waiters.set(success, (message) => {
        cleanup();
        resolve(message);
      });
      this.waiters.set(failure, (message) => {
        cleanup();
        reject(new Error(String(message.error)));
      });
      this.waiters.set('death', (message) => {
        cleanup();
        reject(new Error(String(message.error)));
      });
    });
  }

  die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    liveWorkers.delete(this);
    this.waiters.get('death')?.({ error: reason });
    for (const call of [...this.calls.values()]) call.reject(new Error(reason));
    this.thread.terminate();
    this.onDeath(this);
  }

  /** Stops once the invocations in flight are answered (its code or secrets were replaced). */
  retire(): void {
    this.onDeath = () => {};
    const check = () => {
      if (this.dead) return;
      if (this.inflight === 0) this.die('Function worker retired');
      else setTimeout(check, 100);
    };
    check();
  }
}

/**
 * Stops the workers that stopped answering and returns them; the caller decides what a worker
 * that cannot really be stopped costs (see host.ts).
 */
export function stopStuckWorkers(now: number, timeoutMs: number): string[] {
  const stuck: string[] = [];
  for (const worker of liveWorkers) {
    if (worker.stuck(now, timeoutMs)) {
      stuck.push(worker.label);
      worker.die('stuck');
    }
  }
  return stuck;
}

/** Booted workers waiting for a function; refilled in the background. */
export class SpareWorkers {
  private readonly ready: FunctionWorker[] = [];
  private booting = 0;

  constructor(private readonly limits: Limits) {}

  fill(): void {
    while (this.ready.length + this.booting < this.limits.spareWorkers) {
      this.booting++;
      const worker = new FunctionWorker(this.limits);
      worker.booted().then(
        () => this.ready.push(worker),
        (error) => {
          console.error(`[runtime] spare worker failed to boot: ${error.message}`);
          worker.die('boot failed');
        },
      ).finally(() => this.booting--);
    }
  }

  async take(): Promise<FunctionWorker> {
    let worker = this.ready.shift();
    while (worker && worker.dead) worker = this.ready.shift();
    this.fill();
    if (worker) return worker;
    worker = new FunctionWorker(this.limits);
    await worker.booted();
    return worker;
  }

  stop(): void {
    for (const worker of this.ready) worker.die('runtime stopping');
    this.ready.length = 0;
  }
}

/** The workers of one function version and the secrets they were given, each on its own port. */
export class FunctionPool {
  private workers: FunctionWorker[] = [];
  private starting: Promise<FunctionWorker> | null = null;

  constructor(
    readonly slug: string,
    readonly version: string,
    readonly code: string,
    readonly secretsVersion: string,
    private readonly secrets: Record<string, string>,
    private readonly limits: Limits,
    private readonly spares: SpareWorkers,
  ) {}

  /**
   * The ports the function is served on, starting workers as needed. A worker running something
   * whose heartbeat has been silent for two seconds is busy (or stuck) and is taken out of the
   * rotation: it finishes what it runs, and new calls go to a fresh worker. Rejects with the
   * function's load error.
   */
  async serve(): Promise<{ port: number; route: string }[]> {
    const now = Date.now();
    for (const worker of [...this.workers]) {
      if (worker.inflight > 0 && worker.silentFor(now) > BUSY_SILENCE_MS) {
        this.workers = this.workers.filter((w) => w !== worker);
        worker.retire();
      }
    }
    while (this.workers.length < this.limits.workersPerFunction) await this.startWorker();
    return this.workers.map((worker) => ({ port: worker.port, route: worker.route }));
  }

  private startWorker(): Promise<FunctionWorker> {
    if (this.starting) return this.starting;
    this.starting = (async () => {
      const worker = await this.spares.take();
      try {
        await worker.load({
          slug: this.slug,
          version: this.version,
          secretsVersion: this.secretsVersion,
          code: this.code,
          secrets: this.secrets,
          limits: { timeoutMs: this.limits.timeoutMs, maxConcurrency: this.limits.maxConcurrency },
        }, this.limits.timeoutMs);
      } catch (error) {
        worker.die('load failed');
        throw error;
      }
      worker.onDeath = (dead) => {
        this.workers = this.workers.filter((w) => w !== dead);
      };
      this.workers.push(worker);
      return worker;
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  get idleSince(): number {
    let last = 0;
    for (const worker of this.workers) {
      if (worker.inflight > 0) return Date.now();
      last = Math.max(last, worker.lastInvocation);
    }
    return last;
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /** Frees the threads; the code stays, so the next lookup starts a worker without a push. */
  retireWorkers(): void {
    const old = this.workers;
    this.workers = [];
    for (const worker of old) worker.retire();
  }
}
