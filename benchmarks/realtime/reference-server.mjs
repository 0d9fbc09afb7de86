// The reference: a plain Node.js socket.io 4.8 server that speaks the same events as Anvil
// (realtime:subscribe with ack, realtime:publish) and broadcasts each published message to the
// room with the same {...payload, meta} shape — but stores nothing and has no database.
// Usage: node reference-server.mjs <port>
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 7140);
const http = createServer();
const io = new Server(http, { transports: ['websocket'], cors: { origin: true, credentials: true } });

io.on('connection', (socket) => {
  const joined = new Set();
  socket.on('realtime:subscribe', ({ channel } = {}, ack) => {
    joined.add(channel);
    socket.join(`realtime:${channel}`);
    ack?.({ ok: true, channel, presence: { members: [] } });
  });
  socket.on('realtime:publish', ({ channel, event, payload } = {}) => {
    if (!joined.has(channel)) return;
    io.to(`realtime:${channel}`).emit(event, {
      ...payload,
      meta: { channel: `realtime:${channel}`, messageId: randomUUID(), senderType: 'user', timestamp: new Date().toISOString() },
    });
  });
});

http.listen(port, '127.0.0.1', () => console.log(`reference socket.io server on ${port}`));
