// A bare relay on the `ws` library, one process, no Redis: the floor of the "ws" benchmark target.
// Subscribers connect to /?channel=<name> and get "ok" once subscribed; a publisher connects to / and
// sends "<channel>\n<payload>": every subscriber of the channel gets <payload>, the publisher "a".
// Environment: PORT. (It shares this directory's package.json: ws is already a dependency here.)
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT || 3000);
const channels = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

wss.on('connection', (socket, req) => {
  const channel = new URL(req.url, 'http://x').searchParams.get('channel');
  if (channel) {
    if (!channels.has(channel)) channels.set(channel, new Set());
    channels.get(channel).add(socket);
    socket.on('close', () => channels.get(channel).delete(socket));
    socket.send('ok');
    return;
  }
  socket.on('message', (data) => {
    const text = data.toString();
    const nl = text.indexOf('\n');
    const subs = channels.get(text.slice(0, nl));
    if (subs) {
      const payload = text.slice(nl + 1);
      for (const s of subs) s.send(payload);
    }
    socket.send('a');
  });
});
wss.on('listening', () => console.log(`ws relay listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
