// Realtime across database trouble: the LISTEN connection killed, then Postgres restarted, while
// the client stays connected to Anvil (run by RealtimeRestartTest with a Postgres of its own).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, nextEvent, subscribe, publish, admin, sql, eventually, unique, env } from './realtime-helpers.mjs';

const url = env.ANVIL_URL;
let socket;
after(() => socket?.close());

async function publishFromSqlUntilDelivered(channel, event) {
  let attempt = 0;
  await eventually(async () => {
    attempt += 1;
    try {
      await sql(`SELECT realtime.publish('${channel}', '${event}', '{"attempt": ${attempt}}'::jsonb)`);
    } catch (error) {
      throw new Error(`database not back yet: ${error.message}`);
    }
    await nextEvent(socket, event, () => true, 1000);
  }, 30000);
}

test('setup: a subscribed socket receives', async () => {
  assert.equal((await admin(url, 'POST', '/api/realtime/channels', { pattern: 'live:%' })).status, 201);
  socket = await connect(url, { token: env.ANVIL_ANON_KEY });
  const channel = 'live:1';
  assert.equal((await subscribe(socket, channel)).ok, true);
  publish(socket, channel, 'before', { n: 1 });
  assert.equal((await nextEvent(socket, 'before')).n, 1);
});

test('a killed LISTEN backend reconnects; messages stored meanwhile arrive exactly once', async () => {
  const killed = await sql(`SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
    WHERE application_name = 'anvil-realtime-listen'`);
  assert.equal(killed.length, 1);
  const [row] = await sql(`SELECT realtime.publish('live:1', 'during', '{"n": 2}'::jsonb) AS id`);
  const data = await nextEvent(socket, 'during', () => true, 15000);
  assert.equal(data.meta.messageId, row.id);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(socket.received.filter((r) => r.event === 'during').length, 0, 'delivered twice');
});

test('Postgres restarts: the socket stays up and delivery resumes', async () => {
  const response = await fetch(env.HOOKS_URL + '/restart-postgres', { method: 'POST' });
  assert.equal(response.status, 200, await response.text());
  assert.equal(socket.connected, true);
  await publishFromSqlUntilDelivered('live:1', 'after_restart');
  // Socket-side work needs the pool again: subscribe and publish.
  const channel = unique('live');
  await eventually(async () => assert.equal((await subscribe(socket, channel)).ok, true), 15000);
  publish(socket, channel, 'published_after', { ok: true });
  assert.equal((await nextEvent(socket, 'published_after')).ok, true);
});
