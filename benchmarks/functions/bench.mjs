// Functions benchmark driver (run through ./anvil bench functions [rounds] [seconds]).
//
// Warm invoke: wrk POSTs a small JSON body to the echo function on Anvil's direct listener
// (ANVIL_FUNCTIONS_PORT: `${functionsUrl}/echo`, what the SDK calls when given functionsUrl), and
// to the same handler served by a bare Deno.serve (the same Deno binary), alternating, `rounds`
// times; medians of req/s are compared. Target: >= 0.7x. The server's proxy path
// (/functions/echo) is measured in the same rounds and reported as a second, informational number.
// Cold start: a new function deployed and invoked for the first time (POST /api/functions, then
// the first call), vs `deno run` of the same handler until its first answer; medians compared.
// Target: <= 3x. Everything runs on 127.0.0.1 and stops by itself.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 10);
const connections = 32;
const deno = join('server', 'target', 'deno', 'node_modules', '@deno', 'linux-x64-glibc', 'deno');
const java = join(process.env.JAVA_HOME, 'bin', 'java');
const apiKey = 'ik_' + 'b'.repeat(64);
const handler = `async (req) => new Response(await req.text(), { headers: { 'content-type': 'application/json' } })`;
const work = mkdtempSync(join(tmpdir(), 'anvil-functions-bench-'));
const children = [];

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function start(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

async function until200(url, method = 'POST', deadlineMs = 60_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(url, method === 'POST' ? { method, body: '{}' } : { method });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200`);
    await sleep(2);
  }
}

/** CPU time (user + system) a process has used, in milliseconds (Linux /proc; clock ticks are 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The runtime host: the Deno child of the Anvil server. */
function childPid(parent) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.split(') ')[1].split(' ')[1]) === parent && stat.includes('(deno)')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no deno child of ${parent}`);
}

/** Runs wrk and measures the CPU the given processes spent per request meanwhile (microseconds). */
function measured(url, pids) {
  const before = pids.map(cpuMs);
  const result = wrk(url);
  const micros = pids.map((pid, i) => ((cpuMs(pid) - before[i]) * 1000) / result.requests);
  return { rate: result.rate, micros };
}

function wrk(url) {
  const script = join(work, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = '{"hello":"world","n":42}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], { encoding: 'utf8' });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (errors) throw new Error(`${url}: ${errors[1]} non-2xx responses\n${out}`);
  return { rate, requests };
}

async function admin(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

try {
  console.log(`load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')} (2 cores)`);
  const anvilPort = await freePort();
  const anvil = `http://127.0.0.1:${anvilPort}`;
  const directPort = await freePort();
  const functionsUrl = `http://127.0.0.1:${directPort}`;
  const server = start(java, ['-jar', 'server/target/anvil-server.jar'], {
    PORT: String(anvilPort), ANVIL_HOST: '127.0.0.1', ANVIL_DATA_DIR: join(work, 'anvil'), ANVIL_ACCESS_LOG: 'false',
    ACCESS_API_KEY: apiKey, ANVIL_FUNCTIONS_PORT: String(directPort),
  });
  const bareScript = join(work, 'bare.ts');
  writeFileSync(bareScript, `Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.args[0]), onListen() {} }, ${handler});\n`);
  const barePort = await freePort();
  const bare = `http://127.0.0.1:${barePort}`;
  const bareProcess = start(deno, ['run', '--allow-net', bareScript, String(barePort)]);

  await until200(`${anvil}/api/health`, 'GET', 120_000);
  await admin(anvil, 'POST', '/api/functions', { name: 'echo', code: `module.exports = ${handler};` });
  await until200(`${anvil}/functions/echo`);
  await until200(`${functionsUrl}/echo`);
  await until200(bare);

  // Warm-up (JIT on every side), not measured.
  wrk(`${functionsUrl}/echo`);
  wrk(`${anvil}/functions/echo`);
  wrk(bare);

  // Besides req/s (which the machine's other load shifts), the CPU time each side spends per
  // request: the server and its runtime host for Anvil, the one Deno process for the reference.
  const runtimeHost = childPid(server.pid);
  const directRates = [];
  const proxyRates = [];
  const bareRates = [];
  const directCpu = [];
  const proxyCpu = [];
  const bareCpu = [];
  const perRequest = (m) => `server ${m[0].toFixed(1)} µs + runtime ${m[1].toFixed(1)} µs`;
  for (let round = 1; round <= rounds; round++) {
    const d = measured(`${functionsUrl}/echo`, [server.pid, runtimeHost]);
    const b = measured(bare, [bareProcess.pid]);
    const p = measured(`${anvil}/functions/echo`, [server.pid, runtimeHost]);
    directRates.push(d.rate);
    proxyRates.push(p.rate);
    bareRates.push(b.rate);
    directCpu.push(d.micros);
    proxyCpu.push(p.micros);
    bareCpu.push(b.micros[0]);
    console.log(`warm round ${round}: anvil direct ${d.rate.toFixed(0)} req/s (CPU/request: ${perRequest(d.micros)}), `
      + `bare Deno.serve ${b.rate.toFixed(0)} req/s (CPU/request ${b.micros[0].toFixed(1)} µs), `
      + `anvil proxy ${p.rate.toFixed(0)} req/s (CPU/request: ${perRequest(p.micros)})`);
  }

  const coldAnvil = [];
  const coldBare = [];
  for (let round = 1; round <= Math.max(rounds, 5); round++) {
    const slug = `cold-${round}-${Date.now()}`;
    let t0 = performance.now();
    await admin(anvil, 'POST', '/api/functions', { name: slug, code: `module.exports = ${handler};` });
    const first = await fetch(`${anvil}/functions/${slug}`, { method: 'POST', body: '{}' });
    await first.arrayBuffer();
    if (!first.ok) throw new Error(`first call of ${slug}: ${first.status}`);
    coldAnvil.push(performance.now() - t0);

    const port = await freePort();
    t0 = performance.now();
    const child = start(deno, ['run', '--allow-net', bareScript, String(port)]);
    await until200(`http://127.0.0.1:${port}`);
    coldBare.push(performance.now() - t0);
    child.kill('SIGKILL');
    console.log(`cold round ${round}: anvil deploy + first call ${coldAnvil.at(-1).toFixed(0)} ms, bare deno run to first answer ${coldBare.at(-1).toFixed(0)} ms`);
  }

  const warmRatio = median(directRates) / median(bareRates);
  const proxyRatio = median(proxyRates) / median(bareRates);
  const coldRatio = median(coldAnvil) / median(coldBare);
  console.log(`load average after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  const cpu = (samples) => {
    const server = median(samples.map((m) => m[0]));
    const runtime = median(samples.map((m) => m[1]));
    return `${(server + runtime).toFixed(1)} µs (server ${server.toFixed(1)}, runtime ${runtime.toFixed(1)})`;
  };
  console.log(`CPU per warm request: anvil direct ${cpu(directCpu)}, anvil proxy ${cpu(proxyCpu)} vs Deno.serve ${median(bareCpu).toFixed(1)} µs`);
  console.log(`cold start: anvil ${median(coldAnvil).toFixed(0)} ms vs deno run ${median(coldBare).toFixed(0)} ms = ${coldRatio.toFixed(2)}x (target <= 3x)`);
  console.log(`warm invoke through the server's proxy (informational): ${median(proxyRates).toFixed(0)} req/s = ${proxyRatio.toFixed(2)}x of Deno.serve`);
  console.log(`warm invoke: anvil direct ${median(directRates).toFixed(0)} req/s vs Deno.serve ${median(bareRates).toFixed(0)} req/s (wrk -c${connections}, ${seconds}s x ${rounds}) = ${warmRatio.toFixed(2)}x (target >= 0.7x)`);
} finally {
  for (const child of children) {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}
