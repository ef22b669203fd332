// Socket.IO 4 with the Redis adapter: one of the processes of the "socketio" benchmark target.
// Clients connect with transports: ['websocket'] only; `join` (room) puts a socket in a room and
// acknowledges; `publish` (room, data) broadcasts `message` (data) to the room with io.to(room).emit
// and acknowledges. Environment: PORT, REDIS_URL, and TLS_CERT + TLS_KEY (PEM files) for wss.
// RECOVERY=1 (the storm scenario): connection state recovery, on the Redis Streams adapter, the one of
// Socket.IO's Redis adapters that can restore a session on another server.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createAdapter: createStreamsAdapter } = require('@socket.io/redis-streams-adapter');
const { createClient } = require('redis');

const port = Number(process.env.PORT || 3000);
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const server = process.env.TLS_CERT
  ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) })
  : http.createServer();

async function main() {
  const pubClient = createClient({ url: redisUrl });
  const options = { transports: ['websocket'], perMessageDeflate: false, cors: { origin: '*' } };
  let io;
  if (process.env.RECOVERY === '1') {
    await pubClient.connect();
    // The documented defaults: sessions kept 2 minutes after a disconnect, middlewares skipped on recovery.
    options.connectionStateRecovery = { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true };
    io = new Server(server, options);
    io.adapter(createStreamsAdapter(pubClient));
  } else {
    const subClient = pubClient.duplicate();
    await Promise.all([pubClient.connect(), subClient.connect()]);
    io = new Server(server, options);
    io.adapter(createAdapter(pubClient, subClient));
  }
  io.on('connection', (socket) => {
    socket.on('join', (room, ack) => {
      socket.join(String(room));
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('publish', (room, data, ack) => {
      io.to(String(room)).emit('message', data);
      if (typeof ack === 'function') ack('ok');
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(`socket.io listening on 127.0.0.1:${port}`));
}

process.on('SIGTERM', () => process.exit(0));
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
