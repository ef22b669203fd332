import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { Transport, splitFrames } from '../../src/transport.js';
import { FakeNodes } from '../support/fake-websocket.js';

test('a WebSocket message is split into its frames at newlines; one without a newline is one frame', () => {
  assert.deepEqual(splitFrames('{"type":"pong","id":1}'), ['{"type":"pong","id":1}']);
  assert.deepEqual(splitFrames('{"a":"x\\ny"}\n{"b":2}'), ['{"a":"x\\ny"}', '{"b":2}']); // an escaped \n is not a newline
});

test('the transport hands each frame of a joined message on in order, and none after one that closed it', () => {
  const fake = new FakeNodes();
  const got = [];
  let transport = null;
  transport = new Transport(fake.WebSocket, 'ws://n1/ws', ['chatcluster.v1'], undefined, {
    onOpen: () => {},
    onFrame: (text) => {
      got.push(JSON.parse(text).n);
      if (JSON.parse(text).close) {
        transport.close();
      }
    },
    onClose: () => {},
  });
  const socket = fake.sockets[0];
  socket.onmessage({ data: '{"n":1}\n{"n":2}\n{"n":3}' });
  assert.deepEqual(got, [1, 2, 3]);
  socket.onmessage({ data: '{"n":4,"close":true}\n{"n":5}' });
  assert.deepEqual(got, [1, 2, 3, 4]);
});

test('the client asks for batches in the URL and takes the frames of a joined message in order', async () => {
  const fake = new FakeNodes();
  const c = new ChatClusterClient(['ws://n1/ws'], 'alice', { WebSocket: fake.WebSocket });
  c.on('error', () => {});
  const connecting = c.connect();
  const socket = await fake.next();
  socket.welcome('node-1');
  await connecting;
  assert.equal(new URL(socket.url).searchParams.get('batch'), '1');
  assert.deepEqual(socket.protocols, ['chatcluster.v1'], 'the sub-protocols are as they were');
  const got = [];
  c.on('message', (m) => got.push(m.offset));
  c.subscribeToChannel('room');
  const sub = socket.last('subscribe');
  const frames = [{ type: 'ack', id: sub.id, result: { channel: 'room', offset: 0, epoch: 'e1', recovered: false } }];
  for (let o = 1; o <= 5; o++) {
    frames.push({ type: 'message', channel: 'room', offset: o, data: o });
  }
  socket.onmessage({ data: frames.map((f) => JSON.stringify(f)).join('\n') });
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  c.disconnect();
});

test('batch: false leaves the URL as it was', async () => {
  const fake = new FakeNodes();
  const c = new ChatClusterClient(['ws://n1/ws'], 'alice', { WebSocket: fake.WebSocket, batch: false });
  const connecting = c.connect();
  const socket = await fake.next();
  socket.welcome('node-1');
  await connecting;
  assert.equal(new URL(socket.url).searchParams.get('batch'), null);
  c.disconnect();
});
