// Realtime through real clients (contract §6): socket.io-client 4.8 over the websocket transport
// against two Anvil replicas sharing one database (ANVIL_URL, ANVIL_URL_2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, nextEvent, noEvent, subscribe, publish, admin, sql, eventually, unique, ISO, UUID, env } from './realtime-helpers.mjs';

const url = env.ANVIL_URL;
const url2 = env.ANVIL_URL_2;
const userA = { token: env.USER_A_TOKEN, id: env.USER_A_ID };
const userB = { token: env.USER_B_TOKEN, id: env.USER_B_ID };
const sockets = [];

async function open(auth, baseUrl = url) {
  const socket = await connect(baseUrl, auth);
  sockets.push(socket);
  return socket;
}

before(async () => {
  for (const body of [{ pattern: 'room:%' }, { pattern: 'off:%', enabled: false }, { pattern: 'private:%' }]) {
    const created = await admin(url, 'POST', '/api/realtime/channels', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
});

after(() => sockets.forEach((socket) => socket.close()));

test('connect with a user token, the anon key, and the API key', async () => {
  for (const auth of [{ token: userA.token }, { token: env.ANVIL_ANON_KEY }, { apiKey: env.ANVIL_API_KEY }]) {
    const socket = await open(auth);
    assert.equal(socket.connected, true);
    assert.match(socket.id, /^[A-Za-z0-9_-]{20}$/);
  }
});

test('connect errors carry the contract messages', async () => {
  const cases = [
    [{}, 'No authentication provided'],
    [undefined, 'No authentication provided'],
    [{ token: 'anon_0000' }, 'Invalid anon key'],
    [{ token: 'not-a-jwt' }, 'Invalid token'],
    [{ token: userA.token.slice(0, -4) + 'AAAA' }, 'Invalid token'],
    [{ apiKey: 'ik_wrong' }, 'Invalid API key'],
  ];
  for (const [auth, message] of cases) {
    await assert.rejects(connect(url, auth), (error) => {
      assert.equal(error.message, message, `auth ${JSON.stringify(auth)}`);
      return true;
    });
  }
});

test('subscribe: ok with presence; refused without a matching enabled channel', async () => {
  const socket = await open({ token: userA.token });
  const channel = unique('room');
  const ack = await subscribe(socket, channel);
  assert.equal(ack.ok, true);
  assert.equal(ack.channel, channel);
  assert.equal(ack.presence.members.length, 1);
  assert.deepEqual(Object.keys(ack.presence.members[0]).sort(), ['joinedAt', 'presenceId', 'type']);
  assert.equal(ack.presence.members[0].type, 'user');
  assert.equal(ack.presence.members[0].presenceId, userA.id);
  assert.match(ack.presence.members[0].joinedAt, ISO);

  for (const refused of ['nomatch:1', 'off:1', 'room']) {
    assert.deepEqual(await subscribe(socket, refused), {
      ok: false, channel: refused,
      error: { code: 'REALTIME_UNAUTHORIZED', message: 'Not authorized to subscribe to this channel' },
    });
  }
  const bad = await socket.timeout(5000).emitWithAck('realtime:subscribe', { channel: 42 });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'REALTIME_INVALID_CHANNEL_REQUEST');
});

test('publish reaches every subscriber, publisher included, with the full meta', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token });
  const b = await open({ token: userB.token });
  const anon = await open({ token: env.ANVIL_ANON_KEY });
  const system = await open({ apiKey: env.ANVIL_API_KEY });
  for (const socket of [a, b, anon, system]) assert.equal((await subscribe(socket, channel)).ok, true);

  publish(a, channel, 'chat', { text: 'hello', n: 1, nested: { ok: true } });
  const [atA, atB, atAnon] = await Promise.all([a, b, anon].map((s) => nextEvent(s, 'chat')));
  for (const data of [atA, atB, atAnon]) {
    assert.deepEqual(Object.keys(data).sort(), ['meta', 'n', 'nested', 'text']);
    assert.equal(data.text, 'hello');
    assert.equal(data.n, 1);
    assert.deepEqual(data.nested, { ok: true });
    assert.deepEqual(Object.keys(data.meta).sort(), ['channel', 'messageId', 'senderId', 'senderType', 'timestamp']);
    assert.equal(data.meta.channel, `realtime:${channel}`);
    assert.match(data.meta.messageId, UUID);
    assert.equal(data.meta.senderType, 'user');
    assert.equal(data.meta.senderId, userA.id);
    assert.match(data.meta.timestamp, ISO);
  }
  assert.equal(atA.meta.messageId, atB.meta.messageId);

  publish(anon, channel, 'chat', { text: 'from anon' });
  const fromAnon = await nextEvent(b, 'chat', (d) => d.text === 'from anon');
  assert.equal(fromAnon.meta.senderType, 'user');
  assert.equal('senderId' in fromAnon.meta, false);

  publish(system, channel, 'chat', { text: 'from admin', meta: 'overwritten' });
  const fromAdmin = await nextEvent(b, 'chat', (d) => d.text === 'from admin');
  assert.equal(fromAdmin.meta.senderType, 'system');
  assert.equal('senderId' in fromAdmin.meta, false);

  // Stored, with how many sockets it reached.
  const channels = (await admin(url, 'GET', '/api/realtime/channels')).body;
  const room = channels.find((c) => c.pattern === 'room:%');
  await eventually(async () => {
    const messages = (await admin(url, 'GET', `/api/realtime/messages?channelId=${room.id}&limit=1000`)).body;
    const stored = messages.find((m) => m.id === atA.meta.messageId);
    assert.ok(stored, 'message stored');
    assert.equal(stored.eventName, 'chat');
    assert.equal(stored.channelName, channel);
    assert.deepEqual(stored.payload, { text: 'hello', n: 1, nested: { ok: true } });
    assert.equal(stored.senderType, 'user');
    assert.equal(stored.senderId, userA.id);
    assert.equal(stored.wsAudienceCount, 4);
  });
});

test('publish errors arrive as realtime:error', async () => {
  const socket = await open({ token: userA.token });
  const channel = unique('room');
  publish(socket, channel, 'chat', { text: 'too early' });
  assert.deepEqual(await nextEvent(socket, 'realtime:error'), {
    channel, code: 'REALTIME_NOT_SUBSCRIBED', message: 'Must subscribe to channel before publishing messages',
  });
  await subscribe(socket, channel);
  publish(socket, channel, 'chat', 'not an object');
  assert.equal((await nextEvent(socket, 'realtime:error')).code, 'REALTIME_INVALID_EVENT');
  publish(socket, channel, 'connect', {});
  assert.equal((await nextEvent(socket, 'realtime:error')).code, 'REALTIME_INVALID_EVENT');
  socket.emit('realtime:nonsense', {});
  assert.deepEqual(await nextEvent(socket, 'realtime:error'), { code: 'REALTIME_INVALID_EVENT', message: 'Unknown event: realtime:nonsense' });
  // The socket is still fine.
  publish(socket, channel, 'chat', { text: 'still here' });
  assert.equal((await nextEvent(socket, 'chat')).text, 'still here');
});

test('RLS decides: subscribe checks see realtime.channel_name(), publish runs as the caller', async () => {
  await sql(`ALTER TABLE realtime.channels ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_private ON realtime.channels FOR SELECT TO authenticated, anon
      USING (pattern <> 'private:%' OR realtime.channel_name() = 'private:' || auth.uid()::text);
    ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;
    CREATE POLICY users_publish ON realtime.messages FOR INSERT TO authenticated WITH CHECK (sender_id = auth.uid());`);
  try {
    const a = await open({ token: userA.token });
    const anon = await open({ token: env.ANVIL_ANON_KEY });
    assert.equal((await subscribe(a, `private:${userA.id}`)).ok, true);
    assert.equal((await subscribe(a, `private:${userB.id}`)).error.code, 'REALTIME_UNAUTHORIZED');
    assert.equal((await subscribe(anon, `private:${userA.id}`)).ok, false);

    const permissions = (await admin(url, 'GET', '/api/realtime/permissions')).body;
    assert.deepEqual(permissions.subscribe.policies.map((p) => p.policyName), ['own_private']);
    assert.deepEqual(permissions.publish.policies.map((p) => [p.policyName, p.command, p.roles]), [['users_publish', 'INSERT', ['authenticated']]]);

    const channel = unique('room');
    await subscribe(a, channel);
    await subscribe(anon, channel);
    publish(anon, channel, 'chat', { text: 'anon may not' });
    assert.deepEqual(await nextEvent(anon, 'realtime:error'), {
      channel, code: 'REALTIME_UNAUTHORIZED', message: 'Not authorized to publish to this channel',
    });
    publish(a, channel, 'chat', { text: 'user may' });
    assert.equal((await nextEvent(anon, 'chat')).text, 'user may');
    await noEvent(a, 'chat', (d) => d.text === 'anon may not');
  } finally {
    await sql(`DROP POLICY own_private ON realtime.channels; ALTER TABLE realtime.channels DISABLE ROW LEVEL SECURITY;
      DROP POLICY users_publish ON realtime.messages; ALTER TABLE realtime.messages DISABLE ROW LEVEL SECURITY;`);
  }
});

test('presence: join and leave per logical member, not per socket', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token });
  await subscribe(a, channel);
  const b1 = await open({ token: userB.token });
  const ack = await subscribe(b1, channel);
  assert.deepEqual(ack.presence.members.map((m) => m.presenceId).sort(), [userA.id, userB.id].sort());

  const join = await nextEvent(a, 'presence:join');
  assert.deepEqual(Object.keys(join).sort(), ['member', 'meta']);
  assert.equal(join.member.type, 'user');
  assert.equal(join.member.presenceId, userB.id);
  assert.match(join.member.joinedAt, ISO);
  assert.equal(join.meta.channel, channel); // no realtime: prefix on presence events
  assert.match(join.meta.messageId, UUID);
  assert.equal(join.meta.senderType, 'system');
  assert.match(join.meta.timestamp, ISO);
  // Not told about itself. (It may hear A's join if that NOTIFY was still in flight when it joined
  // the room: presence events are at-least-once, and the SDK keys members by presenceId.)
  await noEvent(b1, 'presence:join', (d) => d.member.presenceId === userB.id);

  const b2 = await open({ token: userB.token }, url2);
  await subscribe(b2, channel);
  const anon = await open({ token: env.ANVIL_ANON_KEY });
  await subscribe(anon, channel);
  const anonJoin = await nextEvent(a, 'presence:join', (d) => d.member.type === 'anonymous');
  assert.equal(anonJoin.member.presenceId, anon.id);
  await noEvent(a, 'presence:join', (d) => d.member.presenceId === userB.id); // B's second socket: same member

  b1.close(); // B still has b2
  await noEvent(a, 'presence:leave', () => true, 800);
  b2.emit('realtime:unsubscribe', { channel });
  const leave = await nextEvent(a, 'presence:leave');
  assert.equal(leave.member.presenceId, userB.id);
  assert.equal(leave.meta.channel, channel);
  anon.close();
  assert.equal((await nextEvent(a, 'presence:leave', (d) => d.member.type === 'anonymous')).member.presenceId, anonJoin.member.presenceId);
});

test('unsubscribe stops delivery', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token });
  const b = await open({ token: userB.token });
  await subscribe(a, channel);
  await subscribe(b, channel);
  publish(a, channel, 'tick', { n: 1 });
  await nextEvent(b, 'tick', (d) => d.n === 1);
  b.emit('realtime:unsubscribe', { channel });
  await new Promise((resolve) => setTimeout(resolve, 200));
  publish(a, channel, 'tick', { n: 2 });
  await nextEvent(a, 'tick', (d) => d.n === 2);
  await noEvent(b, 'tick', (d) => d.n === 2);
  publish(b, channel, 'tick', { n: 3 });
  assert.equal((await nextEvent(b, 'realtime:error')).code, 'REALTIME_NOT_SUBSCRIBED');
});

test('a message published from SQL arrives (realtime.publish)', async () => {
  const channel = unique('room');
  const a = await open({ token: env.ANVIL_ANON_KEY });
  await subscribe(a, channel);
  const [row] = await sql(`SELECT realtime.publish('${channel}', 'from_db', '{"k": 1}'::jsonb) AS id`);
  assert.match(row.id, UUID);
  const data = await nextEvent(a, 'from_db');
  assert.equal(data.k, 1);
  assert.equal(data.meta.messageId, row.id);
  assert.equal(data.meta.senderType, 'system');
  assert.equal('senderId' in data.meta, false);
  assert.equal(data.meta.channel, `realtime:${channel}`);
  const [none] = await sql(`SELECT realtime.publish('nomatch:1', 'from_db', '{}'::jsonb) AS id`);
  assert.equal(none.id, null);
});

test('two replicas: messages and presence cross servers', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token }, url);
  const b = await open({ token: userB.token }, url2);
  await subscribe(a, channel);
  const ack = await subscribe(b, channel);
  assert.deepEqual(ack.presence.members.map((m) => m.presenceId).sort(), [userA.id, userB.id].sort());
  assert.equal((await nextEvent(a, 'presence:join')).member.presenceId, userB.id);

  publish(b, channel, 'cross', { from: 'replica 2' });
  const [atA, atB] = await Promise.all([nextEvent(a, 'cross'), nextEvent(b, 'cross')]);
  assert.equal(atA.meta.messageId, atB.meta.messageId);
  publish(a, channel, 'cross', { from: 'replica 1' });
  assert.equal((await nextEvent(b, 'cross', (d) => d.from === 'replica 1')).meta.senderId, userA.id);

  const [row] = await sql(`SELECT ws_audience_count FROM realtime.messages WHERE id = '${atA.meta.messageId}'`);
  await eventually(async () => {
    const [counted] = await sql(`SELECT ws_audience_count FROM realtime.messages WHERE id = '${atA.meta.messageId}'`);
    assert.equal(Number(counted.ws_audience_count), 2, `counted ${JSON.stringify(row)}`);
  });
  b.close();
  assert.equal((await nextEvent(a, 'presence:leave')).member.presenceId, userB.id);
});

test('a replica that stops its heartbeat loses its members', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token });
  await subscribe(a, channel);
  // A replica that crashed: its server row has an old heartbeat and it still holds a member.
  const ghost = '00000000-0000-4000-8000-000000000001';
  await sql(`INSERT INTO realtime.presence_servers (server_id, heartbeat_at) VALUES ('${ghost}', now() - interval '1 hour');
    INSERT INTO realtime.presence (channel, socket_id, server_id, presence_type, presence_id)
    VALUES ('${channel}', 'ghost-socket', '${ghost}', 'anonymous', 'ghost-socket');`);
  const leave = await nextEvent(a, 'presence:leave');
  assert.equal(leave.member.presenceId, 'ghost-socket');
  assert.deepEqual(await sql(`SELECT * FROM realtime.presence_servers WHERE server_id = '${ghost}'`), []);
});

test('a replica swept while still alive announces its members again', async () => {
  const channel = unique('room');
  const a = await open({ token: userA.token }, url);
  const b = await open({ token: userB.token }, url2);
  await subscribe(a, channel);
  await subscribe(b, channel);
  await nextEvent(a, 'presence:join');
  await new Promise((resolve) => setTimeout(resolve, 300));
  a.received.length = 0;
  b.received.length = 0;
  // Both heartbeats look expired (as after a long pause): whichever server sweeps first removes
  // the other's members; that server notices at its next heartbeat and announces them again.
  await sql(`UPDATE realtime.presence_servers SET heartbeat_at = now() - interval '1 hour'`);
  const leave = await Promise.any([a, b].map((s) => nextEvent(s, 'presence:leave', () => true, 15000).then((data) => ({ s, data }))));
  const id = leave.data.member.presenceId;
  const rejoin = await nextEvent(leave.s, 'presence:join', (d) => d.member.presenceId === id, 15000);
  assert.ok(rejoin.meta.timestamp >= leave.data.meta.timestamp);
  assert.equal(rejoin.meta.channel, channel);
  const c = await open({ token: env.ANVIL_ANON_KEY });
  const ack = await subscribe(c, channel);
  assert.deepEqual(ack.presence.members.filter((m) => m.type === 'user').map((m) => m.presenceId).sort(), [userA.id, userB.id].sort());
});
