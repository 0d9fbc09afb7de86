// The load: N socket.io-client sockets (websocket transport, like the SDK) subscribed to one
// channel, spread over worker threads, and one publisher stepping its rate up. For each step it
// counts deliveries and publish->receive latency (same host clock) and stops at the first step that
// loses messages or whose p99 exceeds the limit. The same script drives both servers.
// Usage: node load.mjs <baseUrl> <token> <clients> <seconds per step> <rates,comma,separated>
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, readdirSync } from 'node:fs';
import { io } from 'socket.io-client';

const CHANNEL = 'bench:fanout';
const EVENT = 'tick';
const P99_LIMIT_MS = 100;
const GRACE_MS = 1500;
// Latencies go into 0.1 ms buckets up to 10 s; percentiles are read from the histogram.
const BUCKETS = 100_000;

function connect(url, token) {
  const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: 30000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function subscribe(socket) {
  const ack = await socket.timeout(30000).emitWithAck('realtime:subscribe', { channel: CHANNEL });
  if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
}

// CPU time (ms) used so far by the server's processes and their direct children (Postgres
// backends), from /proc: less sensitive to a busy machine than latency is.
const SERVER_PIDS = (process.env.SERVER_PIDS ?? '').split(',').filter(Boolean).map(Number);
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}
function serverCpuMs() {
  if (SERVER_PIDS.length === 0) return null;
  let ticks = 0;
  for (const pid of SERVER_PIDS) ticks += statOf(pid)?.ticks ?? 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat && SERVER_PIDS.includes(stat.ppid)) ticks += stat.ticks;
  }
  return ticks * 10;
}

async function worker() {
  const { url, token, count } = workerData;
  const sockets = [];
  let histogram = new Uint32Array(BUCKETS + 1);
  let received = 0;
  let otherEvents = 0;
  let currentStep = -1;
  for (let i = 0; i < count; i++) {
    const socket = await connect(url, token);
    await subscribe(socket);
    socket.onAny((event) => {
      if (event !== EVENT) otherEvents++;
    });
    socket.on(EVENT, (data) => {
      // A message from an earlier step arriving now is late, not a delivery of this step.
      if (data.step !== currentStep) return;
      const latency = performance.timeOrigin + performance.now() - data.sentAt;
      histogram[Math.min(BUCKETS, Math.max(0, Math.round(latency * 10)))]++;
      received++;
    });
    sockets.push(socket);
  }
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', (message) => {
    if (message.type === 'step') {
      currentStep = message.step;
      parentPort.postMessage({ type: 'step' });
    } else if (message.type === 'events') {
      parentPort.postMessage({ type: 'events', otherEvents });
    } else if (message.type === 'collect') {
      parentPort.postMessage({ type: 'stats', received, histogram }, [histogram.buffer]);
      histogram = new Uint32Array(BUCKETS + 1);
      received = 0;
    } else if (message.type === 'stop') {
      sockets.forEach((s) => s.close());
      process.exit(0);
    }
  });
}

async function main() {
  const [url, token, clientsArg, secondsArg, ratesArg] = process.argv.slice(2);
  const clients = Number(clientsArg);
  const seconds = Number(secondsArg);
  const rates = ratesArg.split(',').map(Number);
  const workerCount = Math.min(4, Math.max(1, Math.ceil(clients / 250)));
  const workers = [];
  const started = Date.now();
  for (let i = 0; i < workerCount; i++) {
    const count = Math.floor(clients / workerCount) + (i < clients % workerCount ? 1 : 0);
    const w = new Worker(new URL(import.meta.url), { workerData: { url, token, count } });
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    workers.push(w);
  }
  console.error(`  ${clients} clients connected and subscribed in ${Date.now() - started} ms`);
  // Anvil announces every new member to the room (presence:join); wait until that settles so the
  // steps measure fan-out of messages, not the tail of the connection storm.
  const otherEvents = () => Promise.all(workers.map((w) => new Promise((resolve) => {
    w.once('message', (m) => resolve(m.otherEvents));
    w.postMessage({ type: 'events' });
  }))).then((counts) => counts.reduce((a, b) => a + b, 0));
  for (let last = -1, now = await otherEvents(); now !== last; ) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    last = now;
    now = await otherEvents();
  }
  console.error(`  settled after ${Date.now() - started} ms`);
  const publisher = await connect(url, token);
  await subscribe(publisher);

  const collect = () => Promise.all(workers.map((w) => new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage({ type: 'collect' });
  })));
  await collect(); // reset

  let seq = 0;
  // Warm-up, not counted: both servers get the same (a few hundred messages), so neither is
  // measured cold — a JVM compiles its hot paths later than V8 does.
  const steps = [{ rate: 20, warmUp: true, seconds: 10 }, ...rates.map((rate) => ({ rate, seconds }))];
  const results = [];
  for (const [stepIndex, { rate, warmUp, seconds }] of steps.entries()) {
    await Promise.all(workers.map((w) => new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage({ type: 'step', step: stepIndex });
    })));
    const total = rate * seconds;
    const tickMs = 10;
    const perTick = rate * tickMs / 1000;
    let sent = 0;
    const cpuBefore = serverCpuMs();
    const stepStart = performance.now();
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor((performance.now() - stepStart) / 1000 * rate) + 1);
        while (sent < due) {
          publisher.emit('realtime:publish', { channel: CHANNEL, event: EVENT, payload: { seq: seq++, step: stepIndex, sentAt: performance.timeOrigin + performance.now() } });
          sent++;
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
      void perTick;
    });
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
    const cpuAfter = serverCpuMs();
    const stats = await collect();
    if (warmUp) {
      continue;
    }
    const histogram = new Float64Array(BUCKETS + 1);
    let received = 0;
    for (const s of stats) {
      received += s.received;
      for (let i = 0; i <= BUCKETS; i++) histogram[i] += s.histogram[i];
    }
    const expected = total * clients;
    const p = (q) => {
      let target = Math.ceil(received * q);
      for (let i = 0; i <= BUCKETS; i++) {
        target -= histogram[i];
        if (target <= 0) return i / 10;
      }
      return Infinity;
    };
    const result = { rate, deliveriesPerSecond: rate * clients, expected, received, lost: expected - received, p50: p(0.5), p99: p(0.99) };
    result.ok = result.lost <= 0 && result.p99 <= P99_LIMIT_MS;
    result.cpuMicrosPerDelivery = cpuBefore === null || received === 0 ? null : Math.round((cpuAfter - cpuBefore) * 1000 / received * 10) / 10;
    results.push(result);
    console.error(`  ${String(rate).padStart(5)} msg/s -> ${String(result.deliveriesPerSecond).padStart(8)} deliveries/s: received ${received}/${expected}, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${result.cpuMicrosPerDelivery ?? '?'} µs/delivery ${result.ok ? 'ok' : 'FAIL'}`);
    if (!result.ok) break;
  }
  const held = results.filter((r) => r.ok).at(-1);
  // CPU per delivery over every step that delivered everything (lost messages make it meaningless).
  const complete = results.filter((r) => r.lost <= 0 && r.cpuMicrosPerDelivery !== null).map((r) => r.cpuMicrosPerDelivery).sort((a, b) => a - b);
  const cpu = complete.length ? complete[Math.floor(complete.length / 2)] : null;
  console.log(JSON.stringify({ capacity: held ? held.deliveriesPerSecond : 0, p99AtCapacity: held ? held.p99 : null, cpuMicrosPerDelivery: cpu, steps: results }));
  publisher.close();
  workers.forEach((w) => w.postMessage({ type: 'stop' }));
  setTimeout(() => process.exit(0), 500);
}

if (isMainThread) {
  await main();
} else {
  await worker();
}
