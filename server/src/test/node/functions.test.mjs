// Functions through the official SDK's functions.invoke (contract §5, §10): every method, body and
// header echo, secrets through Deno.env.get, the injected createClient and base64 helpers, thrown
// errors and Responses, the timeout, a redeploy seen by the next call, and the runtime killed
// mid-invocation. The server runs with WORKER_TIMEOUT_MS=2000 (set by FunctionsNodeSuiteTest).
// The same through the runtime's direct listener (ANVIL_FUNCTIONS_PORT, the SDK's functionsUrl):
// calls that never pass the server, what it serves after redeploys, drafts, deletes, bad deploys
// and a restart of the runtime, and the SDK's fallback to the server on its 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@insforge/sdk';

const baseUrl = process.env.ANVIL_URL;
const apiKey = process.env.ANVIL_API_KEY;
const anonKey = process.env.ANVIL_ANON_KEY;
const runtimePid = Number(process.env.ANVIL_DENO_PID);
const functionsUrl = `http://127.0.0.1:${process.env.ANVIL_FUNCTIONS_PORT}`;

// retryCount 0: a failing call must show its own status, not the SDK's retries of it.
const client = createClient({ baseUrl, anonKey, retryCount: 0 });
const direct = createClient({ baseUrl, anonKey, functionsUrl, retryCount: 0 });

async function admin(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path} -> ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function deploy(slug, code) {
  const result = await admin('POST', '/api/functions', { name: slug, slug, code });
  assert.equal(result.deployment.status, 'success', JSON.stringify(result));
  return result;
}

await deploy('echo', `
module.exports = async function (req) {
  const text = await req.text();
  return new Response(JSON.stringify({
    method: req.method,
    path: new URL(req.url).pathname,
    custom: req.headers.get('x-custom'),
    authorization: req.headers.get('authorization'),
    contentType: req.headers.get('content-type'),
    body: text ? JSON.parse(text) : null,
  }), { status: 200, headers: { 'Content-Type': 'application/json', 'X-Echo': 'yes' } });
};`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true (a runtime restarting, a listener coming up); fails at the deadline. */
async function eventually(what, check, deadlineMs = 30_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    assert.ok(Date.now() < deadline, `${what} within ${deadlineMs} ms`);
    await sleep(100);
  }
}

test('the functions list names the direct listener as deploymentUrl', async () => {
  await eventually('the direct listener', async () => (await admin('GET', '/api/functions')).deploymentUrl === functionsUrl);
});

test('through functionsUrl every method reaches the function directly with its body and headers', async () => {
  for (const method of ['POST', 'GET', 'PUT', 'DELETE']) {
    const body = method === 'GET' ? undefined : { n: 2, method };
    const { data, error } = await direct.functions.invoke('echo', { method, body, headers: { 'X-Custom': `d-${method}` } });
    assert.equal(error, null, `${method}: ${error?.message}`);
    assert.equal(data.path, '/echo', 'served by the direct listener, not the server proxy');
    assert.equal(data.method, method);
    assert.equal(data.custom, `d-${method}`);
    assert.equal(data.authorization, `Bearer ${anonKey}`);
    assert.deepEqual(data.body, body ?? null);
  }
});

test('the direct listener answers like the server: CORS, its preflight, /functions/:slug, unknown slugs', async () => {
  let response = await fetch(`${functionsUrl}/functions/echo?x=1`, {
    method: 'POST', headers: { 'content-type': 'application/json', Origin: 'http://app.example' }, body: '{"raw":true}',
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-echo'), 'yes');
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.equal((await response.json()).path, '/functions/echo');

  // With and without Access-Control-Request-Headers: the second shows the server's default allowed headers.
  const shape = (r) => [r.status, ...['allow-origin', 'allow-credentials', 'allow-methods', 'allow-headers', 'expose-headers', 'max-age']
    .map((name) => r.headers.get(`access-control-${name}`))];
  for (const requested of [{ 'Access-Control-Request-Headers': 'x-custom' }, {}]) {
    const preflights = await Promise.all([functionsUrl, baseUrl].map((url) => fetch(`${url}/functions/echo`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST', ...requested },
    })));
    assert.deepEqual(shape(preflights[0]), shape(preflights[1]));
    assert.deepEqual(shape(preflights[0]).slice(0, 3), [204, 'http://app.example', 'true']);
    assert.match(shape(preflights[0])[3], /POST/);
    assert.ok(shape(preflights[0])[4], 'allowed headers are listed');
    assert.match(shape(preflights[0])[5], /Content-Range/);
  }

  response = await fetch(`${functionsUrl}/no-such-function`);
  assert.equal(response.status, 404);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await response.json(), { error: 'Function not found or not active' });
});

test('on a 404 from functionsUrl the SDK falls back to the server', async () => {
  // A functionsUrl under which nothing is served: every call is answered 404 there.
  const misdirected = createClient({ baseUrl, anonKey, functionsUrl: `${functionsUrl}/elsewhere`, retryCount: 0 });
  const { data, error } = await misdirected.functions.invoke('echo', { method: 'POST', body: { via: 'fallback' } });
  assert.equal(error, null, error?.message);
  assert.equal(data.path, '/functions/echo');
  assert.deepEqual(data.body, { via: 'fallback' });
});

test('every method reaches the function with its body and headers', async () => {
  for (const method of ['POST', 'GET', 'PUT', 'PATCH', 'DELETE']) {
    const body = method === 'GET' ? undefined : { n: 1, method };
    const { data, error } = await client.functions.invoke('echo', { method, body, headers: { 'X-Custom': `c-${method}` } });
    assert.equal(error, null, `${method}: ${error?.message}`);
    assert.equal(data.method, method);
    assert.equal(data.path, '/functions/echo');
    assert.equal(data.custom, `c-${method}`);
    assert.equal(data.authorization, `Bearer ${anonKey}`);
    assert.deepEqual(data.body, body ?? null);
    if (body) assert.match(data.contentType, /application\/json/);
  }
});

test('status, headers, query and raw bytes come back as the function sent them', async () => {
  const response = await fetch(`${baseUrl}/functions/echo?x=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Origin: 'http://app.example' },
    body: '{"raw":true}',
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-echo'), 'yes');
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  const data = await response.json();
  assert.deepEqual(data.body, { raw: true });
});

test('a secret is read through Deno.env.get, and a changed value is seen by the next call', async () => {
  await admin('POST', '/api/secrets', { key: 'GREETING_SECRET', value: 'first value' });
  await deploy('secret-reader', `
module.exports = async () => Response.json({
  greeting: Deno.env.get('GREETING_SECRET'),
  anonKeyVisible: (Deno.env.get('ANON_KEY') ?? '').startsWith('anon_'),
  baseUrl: Deno.env.get('INSFORGE_BASE_URL'),
  missing: Deno.env.get('NO_SUCH_SECRET') ?? null,
});`);
  let { data, error } = await client.functions.invoke('secret-reader', { method: 'GET' });
  assert.equal(error, null);
  assert.equal(data.greeting, 'first value');
  assert.equal(data.anonKeyVisible, true);
  assert.equal(data.baseUrl, baseUrl.replace('127.0.0.1', 'localhost'));
  assert.equal(data.missing, null);

  await admin('PUT', '/api/secrets/GREETING_SECRET', { value: 'second value' });
  ({ data, error } = await client.functions.invoke('secret-reader', { method: 'GET' }));
  assert.equal(error, null);
  assert.equal(data.greeting, 'second value');
});

test('a secret reaches the direct listener, and a changed value the next direct call', async () => {
  await admin('POST', '/api/secrets', { key: 'DIRECT_SECRET', value: 'direct one' });
  await deploy('direct-secret', `module.exports = async () => new Response(Deno.env.get('DIRECT_SECRET') ?? 'unset');`);
  assert.equal((await direct.functions.invoke('direct-secret', { method: 'GET' })).data, 'direct one');
  await admin('PUT', '/api/secrets/DIRECT_SECRET', { value: 'direct two' });
  const response = await fetch(`${functionsUrl}/direct-secret`);
  assert.equal(await response.text(), 'direct two');
});

test('createClient and the base64 helpers are injected', async () => {
  await deploy('uses-sdk', `
module.exports = async (req) => {
  const insforge = createClient({ baseUrl: Deno.env.get('INSFORGE_INTERNAL_URL'), anonKey: Deno.env.get('ANON_KEY') });
  const health = await insforge.getHttpClient().get('/api/health');
  return Response.json({
    health: health.status,
    encoded: encodeBase64('hello'),
    decoded: new TextDecoder().decode(decodeBase64('d29ybGQ=')),
  });
};`);
  const { data, error } = await client.functions.invoke('uses-sdk', { method: 'POST', body: {} });
  assert.equal(error, null, error?.message);
  assert.deepEqual(data, { health: 'ok', encoded: 'aGVsbG8=', decoded: 'world' });
});

test('a thrown error becomes {error} with its status; a thrown Response is the response', async () => {
  await deploy('thrower', `
module.exports = async (req) => {
  if (req.method === 'GET') {
    throw new Response(JSON.stringify({ error: 'I am a teapot' }), { status: 418, headers: { 'Content-Type': 'application/json' } });
  }
  const error = new Error('Something broke');
  if (req.method === 'PUT') error.status = 422;
  throw error;
};`);
  let { data, error } = await client.functions.invoke('thrower', { method: 'POST', body: {} });
  assert.equal(data, null);
  assert.equal(error.statusCode, 500);
  assert.equal(error.error, 'Something broke');

  ({ error } = await client.functions.invoke('thrower', { method: 'PUT', body: {} }));
  assert.equal(error.statusCode, 422);
  assert.equal(error.error, 'Something broke');

  ({ error } = await client.functions.invoke('thrower', { method: 'GET' }));
  assert.equal(error.statusCode, 418);
  assert.equal(error.error, 'I am a teapot');
});

test('through functionsUrl a thrown error is {error} with its status, a thrown Response the response', async () => {
  let response = await fetch(`${functionsUrl}/thrower`, { method: 'PUT', body: '{}' });
  assert.equal(response.status, 422);
  assert.deepEqual(await response.json(), { error: 'Something broke' });
  const { data, error } = await direct.functions.invoke('thrower', { method: 'GET' });
  assert.equal(data, null);
  assert.equal(error.statusCode, 418);
  assert.equal(error.error, 'I am a teapot');
  response = await fetch(`${functionsUrl}/thrower`, { method: 'GET' });
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
});

test('a function that does not answer in time gets 504 Function timeout', async () => {
  await deploy('sleeper', `
module.exports = async (req) => {
  const { ms } = await req.json();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Response.json({ slept: ms });
};`);
  const started = Date.now();
  const { data, error } = await client.functions.invoke('sleeper', { method: 'POST', body: { ms: 30_000 } });
  assert.equal(data, null);
  assert.equal(error.statusCode, 504);
  assert.equal(error.error, 'Function timeout');
  assert.ok(Date.now() - started < 15_000, 'answered at the timeout, not when the function would have finished');

  const quick = await client.functions.invoke('sleeper', { method: 'POST', body: { ms: 10 } });
  assert.deepEqual(quick.data, { slept: 10 });

  const directly = await direct.functions.invoke('sleeper', { method: 'POST', body: { ms: 30_000 } });
  assert.equal(directly.error.statusCode, 504);
  assert.equal(directly.error.error, 'Function timeout');
});

test('a redeploy is seen by the next call', async () => {
  await deploy('versioned', `module.exports = async () => new Response('one');`);
  assert.equal((await client.functions.invoke('versioned', { method: 'GET' })).data, 'one');
  const updated = await admin('PUT', '/api/functions/versioned', { code: `module.exports = async () => new Response('two');` });
  assert.equal(updated.deployment.status, 'success');
  assert.equal((await client.functions.invoke('versioned', { method: 'GET' })).data, 'two');
});

test('through functionsUrl a redeploy is seen by the next call; a failed deploy leaves the old code served', async () => {
  await deploy('direct-versioned', `module.exports = async () => new Response('one');`);
  assert.equal(await (await fetch(`${functionsUrl}/direct-versioned`)).text(), 'one');
  let updated = await admin('PUT', '/api/functions/direct-versioned', { code: `module.exports = async () => new Response('two');` });
  assert.equal(updated.deployment.status, 'success');
  assert.equal((await direct.functions.invoke('direct-versioned', { method: 'GET' })).data, 'two');

  updated = await admin('PUT', '/api/functions/direct-versioned', { code: `module.exports = async () => { return new Response('three' ` });
  assert.equal(updated.deployment.status, 'failed');
  assert.equal(await (await fetch(`${functionsUrl}/direct-versioned`)).text(), 'two');
});

test('a function switched to draft or deleted is gone from the direct listener; the SDK then gets the server\'s 404', async () => {
  for (const [slug, retire] of [
    ['direct-drafted', (s) => admin('PUT', `/api/functions/${s}`, { status: 'draft' })],
    ['direct-deleted', (s) => admin('DELETE', `/api/functions/${s}`)],
  ]) {
    await deploy(slug, `module.exports = async () => new Response('${slug} here');`);
    assert.equal(await (await fetch(`${functionsUrl}/${slug}`)).text(), `${slug} here`);
    await retire(slug);
    const response = await fetch(`${functionsUrl}/${slug}`);
    assert.equal(response.status, 404, slug);
    assert.deepEqual(await response.json(), { error: 'Function not found or not active' });
    const { data, error } = await direct.functions.invoke(slug, { method: 'GET' });
    assert.equal(data, null);
    assert.equal(error.statusCode, 404, slug);
  }
});

test('the runtime killed mid-invocation: that call fails, the next one succeeds', async () => {
  assert.ok(runtimePid > 0, 'ANVIL_DENO_PID is set');
  const inFlight = client.functions.invoke('sleeper', { method: 'POST', body: { ms: 1_500 } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.kill(runtimePid, 'SIGKILL');
  const { data, error } = await inFlight;
  assert.equal(data, null);
  assert.equal(error.statusCode, 502);

  // Before any call through the server could refill it: the restarted runtime serves the
  // functions deployed before directly again (the server gives a new runtime every active one).
  await eventually('the direct listener back after the restart', async () =>
    (await fetch(`${functionsUrl}/versioned`)).status === 200);
  assert.equal(await (await fetch(`${functionsUrl}/versioned`)).text(), 'two');
  assert.equal(await (await fetch(`${functionsUrl}/direct-secret`)).text(), 'direct two');
  const echoed = await direct.functions.invoke('echo', { method: 'POST', body: { direct: 'after restart' } });
  assert.equal(echoed.data.path, '/echo');
  assert.equal(await (await fetch(`${functionsUrl}/direct-drafted`)).text(), '{"error":"Function not found or not active"}');

  const next = await client.functions.invoke('echo', { method: 'POST', body: { after: 'restart' } });
  assert.equal(next.error, null, next.error?.message);
  assert.deepEqual(next.data.body, { after: 'restart' });
  const again = await client.functions.invoke('sleeper', { method: 'POST', body: { ms: 5 } });
  assert.deepEqual(again.data, { slept: 5 });
});
