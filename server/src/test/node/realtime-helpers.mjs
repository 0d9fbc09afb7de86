// Shared by the realtime suites: plain socket.io-client 4.8 sockets (websocket transport, as the
// SDK uses), waiting for events with timeouts, and the admin / SQL calls the tests set up with.
import { io } from 'socket.io-client';

export const env = process.env;

/** Connects a fresh socket.io-client socket; resolves once CONNECT succeeded, rejects with connect_error. */
export function connect(baseUrl, auth) {
  const socket = io(baseUrl, { transports: ['websocket'], auth, reconnection: false, forceNew: true, timeout: 10000 });
  socket.received = [];
  socket.onAny((event, data) => socket.received.push({ event, data }));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Resolves with the first `event` (already received or arriving within `ms`) matching `filter`. */
export function nextEvent(socket, event, filter = () => true, ms = 8000) {
  const seen = socket.received.find((r) => r.event === event && filter(r.data));
  if (seen) {
    socket.received.splice(socket.received.indexOf(seen), 1);
    return Promise.resolve(seen.data);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.offAny(listener);
      reject(new Error(`no ${event} within ${ms} ms; received: ${JSON.stringify(socket.received.map((r) => r.event))}`));
    }, ms);
    const listener = (name, data) => {
      if (name === event && filter(data)) {
        clearTimeout(timer);
        socket.offAny(listener);
        const index = socket.received.findIndex((r) => r.data === data);
        if (index >= 0) socket.received.splice(index, 1);
        resolve(data);
      }
    };
    socket.onAny(listener);
  });
}

/** Asserts that no `event` matching `filter` arrives within `ms`. */
export async function noEvent(socket, event, filter = () => true, ms = 600) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const seen = socket.received.find((r) => r.event === event && filter(r.data));
  if (seen) throw new Error(`unexpected ${event}: ${JSON.stringify(seen.data)}`);
}

export function subscribe(socket, channel) {
  return socket.timeout(10000).emitWithAck('realtime:subscribe', { channel });
}

export function publish(socket, channel, event, payload) {
  socket.emit('realtime:publish', { channel, event, payload });
}

export async function admin(baseUrl, method, path, body) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', 'x-api-key': env.ANVIL_API_KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Runs SQL as the superuser through the Java side's hook; returns the rows. */
export async function sql(query) {
  const response = await fetch(env.HOOKS_URL + '/sql', { method: 'POST', body: query });
  const text = await response.text();
  if (!response.ok) throw new Error(`SQL failed: ${text}`);
  return JSON.parse(text);
}

export async function eventually(check, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function unique(prefix) {
  return `${prefix}:${Math.random().toString(36).slice(2, 10)}`;
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
