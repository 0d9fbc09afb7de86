// Anvil's function runtime host. One process runs every function: each function version gets
// warm worker threads (worker_pool.ts) that serve it over HTTP on a loopback port of their own.
// The Anvil server pushes code and decrypted secrets here and asks for a function's port
// (PUT /_anvil/functions/:slug); a local server then talks straight to that port. A remote server
// — runtime pods behind a Service — calls /:slug here instead, and the host forwards.
//
// A host that lacks what a caller expects (a restart, or another pod behind the same Service)
// answers 409 with x-anvil-runtime-miss, and the caller pushes and retries once.
//
// With --public-port, every function the host holds is also served on that port by a few
// "subhosting" workers that hold them all (subhosting.ts), so clients can call functions without
// the Anvil server in between. The server pushes every active function when a host starts for
// that (a deploy with `warm: false` loads the code without starting the function's own workers).
//
//   deno run --allow-net --allow-env=ANVIL_RUNTIME_TOKEN --no-remote --unstable-net host.ts [options]
//
// Options: --port (0 = any; the chosen port is printed as {"event":"listening","port":N,"tag":…}; every
// event line carries the tag signEvents derives from the token, see protocol.ts),
// --hostname, --timeout-ms, --workers-per-function, --max-concurrency, --memory-mb, --idle-ms, --spare-workers, --exit-with-stdin (stop when the parent
// closes our stdin: a local child must not outlive the server that started it), --on-stuck=
// report|exit (what to do when a worker cannot be stopped; see below); the public listener:
// --public-port (absent = none; 0 = any free port), --public-hostname, --public-workers,
// --public-cors-exposed, --public-cors-methods, --public-cors-headers (the server's CORS policy), --public-shared
// (the host this one replaces still holds the port: share it rather than wait for it).
//
// A worker stuck in a busy loop cannot be stopped inside the process (worker_pool.ts), so it is
// only taken out of service, and the process must end to free its thread. With --on-stuck=report
// (a local child) the host prints {"event":"recycle"} and its parent starts a successor, moves
// new calls to it and ends this process once the calls in flight had time to finish. With
// --on-stuck=exit (a pod) the host reports itself draining on /health and exits after that time,
// and the orchestrator restarts it.

import { CONTROL_PREFIX, HEADER, reportEvent, signEvents, SLUG_PATTERN } from './protocol.ts';
import { type CorsPolicy, Subhosting } from './subhosting.ts';
import { FunctionPool, jsonResponse, type Limits, SpareWorkers, stopStuckWorkers } from './worker_pool.ts';

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const found = Deno.args.find((arg) => arg.startsWith(prefix));
  return found ? found.slice(prefix.length) : fallback;
}
const numberOption = (name: string, fallback: number) => Number(option(name, String(fallback)));

/** The server's CORS policy, which direct answers follow too (absent options: nothing exposed or allowed). */
function publicCors(): CorsPolicy {
  return {
    exposed: option('public-cors-exposed', ''),
    methods: option('public-cors-methods', ''),
    allowedHeaders: option('public-cors-headers', ''),
  };
}

const port = numberOption('port', 7133);
const hostname = option('hostname', '0.0.0.0');
const idleMs = numberOption('idle-ms', 600_000);
const onStuck = option('on-stuck', 'exit');
const limits: Limits = {
  workersPerFunction: numberOption('workers-per-function', 1),
  maxConcurrency: numberOption('max-concurrency', 64),
  memoryMb: numberOption('memory-mb', 128),
  timeoutMs: numberOption('timeout-ms', 60_000),
  spareWorkers: numberOption('spare-workers', 1),
};

// The token arrives in the environment and is removed at once: workers inherit this process's
// permissions, and a function must not be able to read the key to the control endpoints.
let token = '';
try {
  token = Deno.env.get('ANVIL_RUNTIME_TOKEN') ?? '';
  Deno.env.delete('ANVIL_RUNTIME_TOKEN');
} catch {
  // started without --allow-env: no token, the host trusts whoever can reach it
}
if (!token) console.warn('[runtime] ANVIL_RUNTIME_TOKEN is not set: control endpoints are unauthenticated');
await signEvents(token);

const spares = new SpareWorkers(limits);
const publicPort = option('public-port', '');
const subhosting = publicPort === '' ? null : new Subhosting(option('public-hostname', hostname), Number(publicPort),
  numberOption('public-workers', 1), limits, spares, publicCors(),
  Deno.args.includes('--public-shared'));
const pools = new Map<string, FunctionPool>();
let secrets = { version: '', values: {} as Record<string, string> };
let draining = false;
let nextWorker = 0;

function authorized(req: Request): boolean {
  if (!token) return true;
  const presented = req.headers.get(HEADER.TOKEN) ?? '';
  if (presented.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= presented.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

function miss(what: string[]): Response {
  return jsonResponse(409, { error: `Runtime lacks ${what.join(' and ')}` }, { [HEADER.MISS]: what.join(',') });
}

/** Deploys of one slug run one after another, so callers asking at once share one pool. */
const deploying = new Map<string, Promise<unknown>>();

function oneAtATime<T>(slug: string, work: () => Promise<T>): Promise<T> {
  const previous = deploying.get(slug) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.then(() => {}, () => {});
  deploying.set(slug, settled);
  settled.then(() => {
    if (deploying.get(slug) === settled) deploying.delete(slug);
  });
  return next;
}

/**
 * PUT /_anvil/functions/:slug {version, code, secretsVersion, warm?}: make this version the one
 * served, with the current secrets, and answer its ports. Loading it surfaces any error in the
 * code. `warm: false` (the server filling a new host for the public listener) only loads it
 * where nothing of this slug is held yet, and starts no workers of its own.
 */
async function deploy(req: Request, slug: string): Promise<Response> {
  const { version, code, secretsVersion, warm } = await req.json();
  if (typeof version !== 'string' || typeof code !== 'string') {
    return jsonResponse(400, { error: 'version and code are required' });
  }
  return await oneAtATime(slug, () => install(slug, version, code, secretsVersion, warm !== false));
}

async function install(slug: string, version: string, code: string, secretsVersion: unknown, warm: boolean): Promise<Response> {
  if (secretsVersion !== secrets.version) return miss(['secrets']);
  const current = pools.get(slug);
  // Whatever a deploy put here meanwhile is newer than what a fill read from the database.
  if (!warm && current) return jsonResponse(200, { status: 'kept', slug, version: current.version, workers: [] });
  let pool = current;
  if (!current || current.version !== version || current.secretsVersion !== secrets.version) {
    pool = new FunctionPool(slug, version, code, secrets.version, secrets.values, limits, spares);
  }
  let workers: { port: number; route: string }[] = [];
  try {
    if (warm) workers = await pool!.serve();
    // After the function's own worker loaded it: code that fails there never reaches these.
    if (subhosting && !subhosting.serves(slug, version)) await subhosting.add(slug, version, code);
  } catch (error) {
    if (pool !== current) pool!.retireWorkers();
    return jsonResponse(422, { error: (error as Error).message });
  }
  if (pool !== current) {
    pools.set(slug, pool!);
    current?.retireWorkers();
  }
  return jsonResponse(200, { status: 'ready', slug, version, workers });
}

async function putSecrets(req: Request): Promise<Response> {
  const { version, values } = await req.json();
  if (typeof version !== 'string' || typeof values !== 'object' || values === null) {
    return jsonResponse(400, { error: 'version and values are required' });
  }
  secrets = { version, values };
  await subhosting?.setSecrets(values);
  return new Response(null, { status: 204 });
}

async function remove(slug: string): Promise<Response> {
  pools.get(slug)?.retireWorkers();
  pools.delete(slug);
  await subhosting?.remove(slug);
  return new Response(null, { status: 204 });
}

/** /:slug for callers that cannot reach worker ports (a server outside this pod): forwarded. */
async function invoke(req: Request, slug: string): Promise<Response> {
  const pool = pools.get(slug);
  const wantedVersion = req.headers.get(HEADER.FUNCTION_VERSION);
  const wantedSecrets = req.headers.get(HEADER.SECRETS_VERSION);
  const missing: string[] = [];
  if (!pool || (wantedVersion !== null && pool.version !== wantedVersion)) missing.push('code');
  if (wantedSecrets !== null && (wantedSecrets !== secrets.version || (pool && pool.secretsVersion !== wantedSecrets))) {
    missing.push('secrets');
  }
  if (missing.length > 0) {
    if (!pool && wantedVersion === null) return jsonResponse(404, { error: 'Function not found or not active' });
    return miss(missing);
  }
  let worker: { port: number; route: string };
  try {
    const workers = await pool!.serve();
    worker = workers[nextWorker++ % workers.length];
  } catch (error) {
    return jsonResponse(500, { error: (error as Error).message });
  }
  const headers = new Headers();
  for (const [name, value] of req.headers) {
    if (!name.startsWith('x-anvil-') && name !== 'host') headers.append(name, value);
  }
  headers.set(HEADER.ROUTE, worker.route);
  const url = new URL(req.url);
  const hasBody = req.body !== null && req.method !== 'GET' && req.method !== 'HEAD';
  const response = await fetch(`http://127.0.0.1:${worker.port}/functions/${slug}${url.search}`, {
    method: req.method,
    headers,
    body: hasBody ? req.body : null,
    redirect: 'manual',
    // deno-lint-ignore no-explicit-any
    ...(hasBody ? { duplex: 'half' } as any : {}),
  });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function route(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  if (path === '/health') {
    return jsonResponse(draining ? 503 : 200, {
      status: draining ? 'draining' : 'ok',
      runtime: 'deno',
      version: Deno.version.deno,
      typescript: Deno.version.typescript,
      v8: Deno.version.v8,
      functions: pools.size,
    });
  }
  if (!authorized(req)) return jsonResponse(401, { error: 'Invalid runtime token' });
  if (path.startsWith(CONTROL_PREFIX)) {
    const rest = path.slice(CONTROL_PREFIX.length);
    if (rest === 'secrets' && req.method === 'PUT') return await putSecrets(req);
    const fn = rest.match(/^functions\/([a-zA-Z0-9_-]+)$/);
    if (fn && req.method === 'PUT') return await deploy(req, fn[1]);
    if (fn && req.method === 'DELETE') return await oneAtATime(fn[1], () => remove(fn[1]));
    return jsonResponse(404, { error: 'Not found' });
  }
  const slug = path.slice(1);
  if (SLUG_PATTERN.test(slug)) return await invoke(req, slug);
  return jsonResponse(404, { error: 'Not found' });
}

function replaceThisProcess(reason: string): void {
  if (draining) return;
  draining = true;
  console.error(`[runtime] ${reason}; this runtime process will be replaced`);
  if (onStuck === 'report') {
    reportEvent('recycle', { reason });
  } else {
    setTimeout(() => Deno.exit(1), limits.timeoutMs + 5_000);
  }
}

// Workers that stopped answering are stopped (as far as Deno can) and the process replaced;
// idle functions give their threads back (their code stays, so the next lookup starts a worker
// again without a push).
setInterval(() => {
  const now = Date.now();
  const stuck = stopStuckWorkers(now, limits.timeoutMs);
  if (stuck.length > 0) {
    replaceThisProcess(`worker of ${stuck.join(', ')} stopped responding (busy past the timeout, or out of memory)`);
  }
  for (const pool of pools.values()) {
    if (pool.workerCount > 0 && now - pool.idleSince > idleMs) pool.retireWorkers();
  }
}, 500);

spares.fill();
subhosting?.start();

Deno.serve({
  port,
  hostname,
  onListen: (address) => reportEvent('listening', { port: address.port }),
  onError: (error) => {
    console.error('[runtime] request failed:', error);
    return jsonResponse(500, { error: (error as Error).message ?? 'Runtime error' });
  },
}, (req) => route(req).catch((error) => jsonResponse(400, { error: (error as Error).message })));

if (Deno.args.includes('--exit-with-stdin')) {
  (async () => {
    const buffer = new Uint8Array(256);
    while ((await Deno.stdin.read(buffer)) !== null) { /* the parent never writes; we wait for EOF */ }
    spares.stop();
    subhosting?.stop();
    Deno.exit(0);
  })();
}
