import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { FakeNodes } from '../support/fake-websocket.js';

const fast = { initialDelay: 10, maxDelay: 40, factor: 2, jitter: 0, stableAfter: 60000 };

function setup(store) {
  const fake = new FakeNodes();
  const c = new ChatClusterClient(['ws://n1/ws', 'ws://n2/ws'], 'alice', {
    WebSocket: fake.WebSocket, strategy: 'ordered', reconnect: fast, requestTimeout: 500, inboxStore: store,
  });
  c.on('error', () => {});
  return { c, fake };
}

function memoryStore() {
  const saved = new Map();
  return { saved, load: (k) => saved.get(k) ?? null, save: (k, p) => saved.set(k, JSON.parse(JSON.stringify(p))) };
}

const direct = (offset, data) => ({ type: 'direct', inbox: 'user', offset, data, from: { user: 'bob', device: 'b' } });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most 3 s) until {@code check} holds. */
async function until(check) {
  for (let i = 0; i < 300 && !check(); i++) {
    await tick(10);
  }
}

test('inbox messages reach the handler once, in order, and are acknowledged after it is done', async () => {
  const store = memoryStore();
  const { c, fake } = setup(store);
  const seen = [];
  c.on('direct', async (m) => {
    await tick(m.offset === 2 ? 20 : 0); // a slow handler holds the ones after it back
    seen.push(m.data);
  });
  const connecting = c.connect();
  const socket = await fake.next();
  socket.welcome('node-1');
  await connecting;
  socket.push({ type: 'inbox', inbox: 'user', epoch: 'e1', acked: 0, offset: 3 });
  socket.push(direct(1, 'a'));
  socket.push(direct(2, 'b'));
  socket.push(direct(3, 'c'));
  socket.push(direct(2, 'b')); // a repeat
  await until(() => socket.sent.some((f) => f.type === 'inbox_ack' && f.offset === 3));
  assert.deepEqual(seen, ['a', 'b', 'c']);
  const acks = socket.sent.filter((f) => f.type === 'inbox_ack');
  assert.ok(acks.length >= 1 && acks.at(-1).offset === 3 && acks.at(-1).inbox === 'user', JSON.stringify(acks));
  assert.deepEqual(c.inboxPositions, { user: { epoch: 'e1', offset: 3 } });

  // Back on another node, which still believes 2 was the last acknowledged: the client says 3 and
  // drops the repeat.
  socket.drop(1006);
  const again = await fake.next();
  again.welcome('node-2');
  await tick();
  again.push({ type: 'inbox', inbox: 'user', epoch: 'e1', acked: 2, offset: 4 });
  again.push(direct(3, 'c'));
  again.push(direct(4, 'd'));
  await until(() => seen.length === 4 && again.sent.some((f) => f.type === 'inbox_ack' && f.offset === 4));
  assert.deepEqual(seen, ['a', 'b', 'c', 'd'], 'exactly once across the reconnect');
  assert.ok(again.sent.some((f) => f.type === 'inbox_ack' && f.offset >= 3));
  c.disconnect();
});

test('a handler that fails leaves the message unacknowledged and the inbox is read again on a new connection', async () => {
  const { c, fake } = setup(memoryStore());
  let fail = true;
  const seen = [];
  c.on('direct', (m) => {
    if (fail) {
      fail = false;
      throw new Error('not now');
    }
    seen.push(m.data);
  });
  const connecting = c.connect();
  const socket = await fake.next();
  socket.welcome('node-1');
  await connecting;
  socket.push({ type: 'inbox', inbox: 'user', epoch: 'e1', acked: 0, offset: 1 });
  socket.push(direct(1, 'a'));
  await tick(20);
  assert.equal(socket.sent.filter((f) => f.type === 'inbox_ack').length, 0, 'not acknowledged');
  const again = await fake.next(); // the client reads the inbox again (after 1 s)
  again.welcome('node-2');
  again.push({ type: 'inbox', inbox: 'user', epoch: 'e1', acked: 0, offset: 1 });
  again.push(direct(1, 'a'));
  await until(() => again.sent.some((f) => f.type === 'inbox_ack'));
  assert.deepEqual(seen, ['a']);
  assert.ok(again.sent.some((f) => f.type === 'inbox_ack' && f.offset === 1));
  c.disconnect();
});
