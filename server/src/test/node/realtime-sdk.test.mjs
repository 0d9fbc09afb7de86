// The official @insforge/sdk 1.5.2 realtime module, unchanged, against Anvil (contract §6, §10).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@insforge/sdk';
import { admin, unique, ISO, UUID, env } from './realtime-helpers.mjs';

const baseUrl = env.ANVIL_URL;
const clients = [];

function client(options) {
  const created = createClient({ baseUrl, ...options });
  clients.push(created);
  return created;
}

function once(realtime, event, filter = () => true, ms = 8000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const listener = (data) => {
      if (filter(data)) {
        clearTimeout(timer);
        realtime.off(event, listener);
        resolve(data);
      }
    };
    realtime.on(event, listener);
  });
}

before(async () => {
  const created = await admin(baseUrl, 'POST', '/api/realtime/channels', { pattern: 'sdk:%', description: 'SDK suite' });
  assert.equal(created.status, 201);
});

after(() => clients.forEach((c) => c.realtime.disconnect()));

test('connect, subscribe with presence, publish and receive between two SDK clients', async () => {
  const alice = client({ accessToken: env.USER_A_TOKEN });
  const guest = client({ anonKey: env.ANVIL_ANON_KEY });
  await alice.realtime.connect();
  await guest.realtime.connect();
  assert.equal(alice.realtime.isConnected, true);
  assert.equal(alice.realtime.connectionState, 'connected');
  assert.ok(alice.realtime.socketId);

  const channel = unique('sdk');
  const first = await alice.realtime.subscribe(channel);
  assert.equal(first.ok, true);
  assert.deepEqual(first.presence.members.map((m) => m.presenceId), [env.USER_A_ID]);

  const joined = once(alice.realtime, 'presence:join');
  const second = await guest.realtime.subscribe(channel);
  assert.equal(second.ok, true);
  assert.equal(second.presence.members.length, 2);
  const join = await joined;
  assert.equal(join.member.type, 'anonymous');
  assert.equal(join.member.presenceId, guest.realtime.socketId);
  assert.deepEqual(alice.realtime.getPresenceState(channel).map((m) => m.type).sort(), ['anonymous', 'user']);
  assert.deepEqual(alice.realtime.getSubscribedChannels(), [channel]);

  const atGuest = once(guest.realtime, 'order_updated');
  const atAlice = once(alice.realtime, 'order_updated');
  await alice.realtime.publish(channel, 'order_updated', { orderId: 7, status: 'shipped' });
  for (const data of [await atGuest, await atAlice]) {
    assert.equal(data.orderId, 7);
    assert.equal(data.status, 'shipped');
    assert.equal(data.meta.channel, `realtime:${channel}`);
    assert.match(data.meta.messageId, UUID);
    assert.equal(data.meta.senderType, 'user');
    assert.equal(data.meta.senderId, env.USER_A_ID);
    assert.match(data.meta.timestamp, ISO);
  }

  const left = once(alice.realtime, 'presence:leave');
  guest.realtime.unsubscribe(channel);
  assert.equal((await left).member.presenceId, join.member.presenceId);
  assert.deepEqual(alice.realtime.getPresenceState(channel).map((m) => m.type), ['user']);
});

test('subscribe refused and publish errors surface through the SDK', async () => {
  const guest = client({ anonKey: env.ANVIL_ANON_KEY });
  const refused = await guest.realtime.subscribe('nowhere:1');
  assert.deepEqual(refused, {
    ok: false, channel: 'nowhere:1',
    error: { code: 'REALTIME_UNAUTHORIZED', message: 'Not authorized to subscribe to this channel' },
  });
  const error = once(guest.realtime, 'error');
  await guest.realtime.publish(unique('sdk'), 'x', { a: 1 });
  assert.equal((await error).code, 'REALTIME_NOT_SUBSCRIBED');
});

test('a bad token fails to connect with the contract message', async () => {
  const broken = client({ accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad' });
  const result = await broken.realtime.subscribe(unique('sdk'));
  assert.equal(result.ok, false);
  assert.equal(result.error.code, 'CONNECTION_FAILED');
  assert.equal(result.error.message, 'Invalid token');
});

test('disconnect and connect again resubscribes nothing stale', async () => {
  const guest = client({ anonKey: env.ANVIL_ANON_KEY });
  const channel = unique('sdk');
  assert.equal((await guest.realtime.subscribe(channel)).ok, true);
  guest.realtime.disconnect();
  assert.equal(guest.realtime.isConnected, false);
  await guest.realtime.connect();
  assert.equal((await guest.realtime.subscribe(channel)).ok, true);
  const got = once(guest.realtime, 'ping_event');
  await guest.realtime.publish(channel, 'ping_event', { n: 1 });
  assert.equal((await got).n, 1);
});
