// The code one function runs in: a node:worker_threads worker (the only worker kind for which
// Deno enforces a heap limit, `resourceLimits`, without taking the whole process down when it is
// hit). The worker serves its function over HTTP itself, on a loopback port, so an invocation
// crosses no thread: the Anvil server talks straight to it. The host starts it from the source of
// `workerMain` (`eval: true`), because a worker loaded from a file would need read permission,
// and the host has none to give.
//
// The same worker can instead serve every function of the project on the host's public port
// (`subhost`; see subhosting.ts): each function evaluated in its own scope by the same `load`,
// routed by path. That is how InsForge's cloud serves functions (one Deno deployment per project).
//
// `workerMain` must stay self-contained: it is stringified, so it cannot use anything from this
// module's scope. Messages (host -> worker): load. (worker -> host): booted, boot-error, loaded
// (with its port and route id), load-error. A subhosting worker gets subhost, add, remove and
// secrets, each with an id, and answers each with {type: 'reply', id, error?}. Liveness goes
// through shared memory instead (see `Vitals` in worker_pool.ts): the worker's event loop writes a
// heartbeat, and the number of invocations in flight.

export function workerMain(): void {
  // deno-lint-ignore no-explicit-any
  const { parentPort, workerData } = require('node:worker_threads') as any;
  const vitals = new BigInt64Array(workerData.vitals as SharedArrayBuffer);
  const VITALS = { HEARTBEAT: 0, INFLIGHT: 1, LAST_INVOCATION: 2 };
  const now = () => BigInt(Date.now());
  Atomics.store(vitals, VITALS.HEARTBEAT, now());
  setInterval(() => Atomics.store(vitals, VITALS.HEARTBEAT, now()), 250);

  const serve = Deno.serve.bind(Deno);

  // Secrets reach the function only through this object; the real Deno namespace is replaced
  // before any other code runs, so neither the function nor a library it imports can reach the
  // host's environment or permission-bearing APIs through the global.
  let secrets: Record<string, string> = {};
  // A plain function, so `new Deno.Command(...)` gets this message too.
  const refuse = (what: string) =>
    function () {
      throw new Error(`${what} is not available in functions`);
    };
  const functionDeno = Object.freeze({
    env: Object.freeze({
      get: (key: string) => (Object.hasOwn(secrets, key) ? secrets[key] : undefined),
      has: (key: string) => Object.hasOwn(secrets, key),
      set: refuse('Deno.env.set'),
      delete: refuse('Deno.env.delete'),
      // Secrets are read by name only (as in InsForge); enumerating gives nothing. Node-compat
      // modules call this (child_process builds a child's environment from it).
      toObject: () => ({}),
    }),
    run: refuse('Deno.run'),
    spawn: refuse('Deno.spawn'),
    Command: refuse('Deno.Command'),
    // Read-only facts and error classes: Node-compat modules (node:fs…) look them up here to
    // report a refused permission; without them the refusal surfaces as a confusing TypeError.
    errors: Deno.errors,
    version: Deno.version,
    build: Deno.build,
  });
  Object.defineProperty(globalThis, 'Deno', { value: functionDeno, configurable: false, writable: false });
  // deno-lint-ignore no-explicit-any
  const proc = (globalThis as any).process;
  if (proc) {
    Object.defineProperty(proc, 'env', { value: { NODE_ENV: 'production' }, configurable: false, writable: false });
    proc.noDeprecation = true;
  }
  // A stray rejected promise or a throw in a timer belongs to one invocation; it must not end
  // the worker, which serves the others.
  globalThis.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    console.error('[function] unhandled rejection:', event.reason);
  });
  globalThis.addEventListener('error', (event) => {
    event.preventDefault();
    console.error('[function] uncaught error:', event.message);
  });

  const encodeBase64 = (data: string | ArrayBuffer | Uint8Array): string => {
    const bytes = typeof data === 'string'
      ? new TextEncoder().encode(data)
      : data instanceof Uint8Array ? data : new Uint8Array(data);
    // deno-lint-ignore no-explicit-any
    return (bytes as any).toBase64();
  };
  // deno-lint-ignore no-explicit-any
  const decodeBase64 = (text: string): Uint8Array => (Uint8Array as any).fromBase64(text);

  // deno-lint-ignore no-explicit-any
  let createClient: any;
  // deno-lint-ignore no-explicit-any
  type Handler = (request: Request) => any;
  /** A loaded function and the invocations of it running now (its concurrency limit). */
  type Loaded = { slug: string; version: string; handler: Handler; inflight: number };
  let single: Loaded | null = null;
  const routeId = crypto.randomUUID();
  let limits = { timeoutMs: 60_000, maxConcurrency: 64 };

  const post = (message: unknown) => parentPort.postMessage(message);
  const describe = (error: unknown): string => {
    if (error instanceof Error) {
      return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
    }
    return String(error);
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  // CommonJS (InsForge's contract) unless the code is an ES module (`export default`), which is
  // what InsForge's hosted runtime accepts; both see the same Deno, createClient, base64 helpers.
  const isModule = (code: string) => /^\s*(export|import)\s/m.test(code);

  async function load(code: string): Promise<Handler> {
    let handler: Handler | null;
    if (isModule(code)) {
      const module = await import('data:text/javascript,' + encodeURIComponent(code));
      handler = typeof module.default === 'function' ? module.default : null;
    } else {
      const AsyncFunction = (async function () {}).constructor as FunctionConstructor;
      const body = new AsyncFunction('exports', 'module', 'createClient', 'Deno', 'encodeBase64', 'decodeBase64', code);
      const exports: Record<string, unknown> = {};
      const module: { exports: unknown } = { exports };
      await body(exports, module, createClient, functionDeno, encodeBase64, decodeBase64);
      // deno-lint-ignore no-explicit-any
      const exported = module.exports as any;
      handler = typeof exported === 'function' ? exported
        : typeof exported?.default === 'function' ? exported.default
        : typeof exports.default === 'function' ? exports.default as Handler
        : null;
    }
    if (!handler) {
      throw new Error('No function exported. Expected: module.exports = async function(req) { ... }');
    }
    return handler;
  }

  /**
   * Calls the function and hands `answer` its Response. InsForge's contract: a thrown Response is
   * the response; a thrown error becomes {error} with its `status` (400–599) or 500.
   */
  function run(handler: Handler, request: Request, answer: (response: Response) => void): void {
    let result: unknown;
    try {
      result = handler(request);
    } catch (thrown) {
      answer(settle(thrown, true));
      return;
    }
    Promise.resolve(result).then((value) => answer(settle(value, false)), (thrown) => answer(settle(thrown, true)));
  }

  function settle(value: unknown, thrown: boolean): Response {
    if (value instanceof Response) return value;
    const error = thrown ? value
      : new Error(`Function must return a Response, got ${value === null ? 'null' : typeof value}`);
    // deno-lint-ignore no-explicit-any
    const status = Number((error as any)?.status);
    return json(Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500, { error: describe(error) });
  }

  // One sweep answers every invocation past its deadline, instead of a timer per invocation.
  const deadlines = new Set<{ at: number; answer: (response: Response) => void }>();
  setInterval(() => {
    const now = Date.now();
    for (const entry of deadlines) {
      if (entry.at <= now) {
        deadlines.delete(entry);
        entry.answer(json(504, { error: 'Function timeout' }));
      }
    }
  }, 100);

  /**
   * The request goes to the function as it arrived: the proxy sends the client's method, path,
   * query, headers and body, so nothing is copied here. The one header of its own, the route id,
   * lets a caller holding a route from before a restart notice that this port now serves
   * something else.
   */
  function invoke(req: Request): Promise<Response> {
    const route = req.headers.get('x-anvil-route');
    if (route !== null && route !== routeId) {
      return Promise.resolve(json(409, { error: 'Stale function route' }, { 'x-anvil-runtime-miss': 'route' }));
    }
    return invokeWithin(single!, req);
  }

  /**
   * Runs one invocation within the function's concurrency limit and the timeout; `finish` adapts
   * the answer (the direct listener's CORS header). Written without async/await or Promise.race:
   * this is the whole per-call overhead of the direct listener.
   */
  function invokeWithin(fn: Loaded, req: Request, finish = (response: Response) => response): Promise<Response> {
    if (fn.inflight >= limits.maxConcurrency) {
      return Promise.resolve(finish(json(429, { error: `Too many concurrent invocations of ${fn.slug} (limit ${limits.maxConcurrency})` },
        { 'retry-after': '1' })));
    }
    fn.inflight++;
    Atomics.add(vitals, VITALS.INFLIGHT, 1n);
    const started = Date.now();
    Atomics.store(vitals, VITALS.LAST_INVOCATION, BigInt(started));
    // A function that awaits forever is answered at its deadline; one that never yields the
    // thread is stopped by the host, which sees the heartbeat stall.
    const { promise, resolve } = Promise.withResolvers<Response>();
    let answered = false;
    const deadline = {
      at: started + limits.timeoutMs,
      answer: (response: Response) => {
        if (answered) return;
        answered = true;
        deadlines.delete(deadline);
        fn.inflight--;
        Atomics.sub(vitals, VITALS.INFLIGHT, 1n);
        resolve(finish(response));
      },
    };
    deadlines.add(deadline);
    run(fn.handler, req, deadline.answer);
    return promise;
  }

  // deno-lint-ignore no-explicit-any
  async function start(message: any) {
    secrets = message.secrets;
    limits = message.limits;
    single = { slug: message.slug, version: message.version, handler: await load(message.code), inflight: 0 };
    Atomics.store(vitals, VITALS.LAST_INVOCATION, now()); // idle time counts from here
    return await listen({ hostname: '127.0.0.1', port: 0 }, invoke);
  }

  /** Serves `handler` and resolves with the port once listening; throws when the port cannot be bound. */
  function listen(address: { hostname: string; port: number; reusePort?: boolean }, handler: (req: Request) => Promise<Response>) {
    const listening = Promise.withResolvers<number>();
    serve({
      ...address,
      onListen: (bound: Deno.NetAddr) => listening.resolve(bound.port),
      onError: (error: unknown) => json(500, { error: describe(error) }),
    }, handler);
    return listening.promise;
  }

  // Subhosting: every function of the project in this worker, on the shared public port.
  const functions = new Map<string, Loaded>();
  const notFound = () => json(404, { error: 'Function not found or not active' });
  /** The server's CORS policy values (its CorsFilter), handed over by the host. */
  let cors = { exposed: '', methods: '', allowedHeaders: '' };

  /**
   * `Access-Control-Allow-Origin: *` on every answer, as the server's /functions/* (contract §5.2).
   * Unlike the server's CORS filter, Origin is not looked at outside preflights: reading any
   * request header makes Deno copy them all (measurable on a warm call), and with `*` the
   * credentials and exposed-headers answers it would add change nothing for a browser.
   */
  function withCors(response: Response): Response {
    try {
      response.headers.set('access-control-allow-origin', '*');
      return response;
    } catch {
      // A Response from fetch() has immutable headers: copy it.
      const copy = new Response(response.body, response);
      copy.headers.set('access-control-allow-origin', '*');
      return copy;
    }
  }

  function preflight(req: Request, origin: string | null): Response {
    const headers: Record<string, string> = {
      'access-control-allow-methods': cors.methods,
      'access-control-allow-headers': req.headers.get('access-control-request-headers')?.trim() || cors.allowedHeaders,
      'access-control-max-age': '86400',
      'vary': 'Origin',
    };
    if (origin !== null) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-credentials'] = 'true';
      headers['access-control-expose-headers'] = cors.exposed;
    }
    return new Response(null, { status: 204, headers });
  }

  /**
   * `/{slug}` (InsForge's subhosting path) or `/functions/{slug}` (the server's). The path is cut
   * out of the URL by hand, with no URL object or pattern: a slug is known only if it was deployed.
   */
  function routeBySlug(req: Request): Promise<Response> | Response {
    if (req.method === 'OPTIONS') {
      const origin = req.headers.get('origin');
      if (origin !== null || req.headers.has('access-control-request-method')) return preflight(req, origin);
    }
    const url = req.url;
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const query = url.indexOf('?', pathStart);
    let slug = url.slice(pathStart + 1, query < 0 ? url.length : query);
    if (slug.startsWith('functions/')) slug = slug.slice('functions/'.length);
    const fn = functions.get(slug);
    return fn ? invokeWithin(fn, req, withCors) : withCors(notFound());
  }

  async function add(slug: string, version: string, code: string) {
    const handler = await load(code); // a failure leaves what was served
    functions.set(slug, { slug, version, handler, inflight: 0 }); // calls in flight count against the old version
  }

  // deno-lint-ignore no-explicit-any
  async function subhost(message: any): Promise<number> {
    secrets = message.secrets;
    limits = message.limits;
    cors = message.cors;
    for (const fn of message.functions) {
      try {
        await add(fn.slug, fn.version, fn.code);
      } catch (error) {
        console.error(`[runtime] ${fn.slug} failed to load in a subhosting worker: ${describe(error)}`);
      }
    }
    Atomics.store(vitals, VITALS.LAST_INVOCATION, now());
    // Every subhosting worker binds the same port; the kernel spreads connections over them.
    return await listen({ hostname: message.hostname, port: message.port, reusePort: true }, routeBySlug);
  }

  // deno-lint-ignore no-explicit-any
  const subhostingOps: Record<string, (message: any) => Promise<unknown>> = {
    subhost: (message) => subhost(message).then((port) => ({ port })),
    add: (message) => add(message.slug, message.version, message.code),
    remove: (message) => Promise.resolve(functions.delete(message.slug)),
    secrets: (message) => {
      secrets = message.values;
      return Promise.resolve();
    },
  };
  // Handled one after another, in the order sent: an add sent while the worker is still starting
  // comes after the functions it starts with.
  let queue: Promise<unknown> = Promise.resolve();

  // deno-lint-ignore no-explicit-any
  parentPort.on('message', (message: any) => {
    const op = subhostingOps[message.type];
    if (op) {
      queue = queue.then(() => op(message)).then(
        (result) => post({ type: 'reply', id: message.id, ...(typeof result === 'object' ? result : {}) }),
        (error) => post({ type: 'reply', id: message.id, error: describe(error) }),
      );
    } else if (message.type === 'load') {
      start(message).then(
        (port) => post({ type: 'loaded', port, route: routeId }),
        (error) => post({ type: 'load-error', error: describe(error) }),
      );
    }
  });

  // The SDK is imported before the worker reports itself booted, so a spare worker is fully
  // warm: giving it a function costs only evaluating the function's code.
  import('npm:@insforge/sdk').then(
    (sdk) => {
      createClient = sdk.createClient;
      post({ type: 'booted' });
    },
    (error) => post({ type: 'boot-error', error: 'SDK import failed: ' + describe(error) }),
  );
}
