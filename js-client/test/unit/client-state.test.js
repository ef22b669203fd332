import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { FakeNodes, once } from '../support/fake-websocket.js';

const NODES = ['ws://n1/ws', 'ws://n2/ws', 'ws://n3/ws'];
const fast = { initialDelay: 10, maxDelay: 40, factor: 2, jitter: 0, stableAfter: 60000 };

function client(nodes, options = {}) {
  const fake = new FakeNodes();
  const c = new ChatClusterClient(options.nodes ?? NODES, 'alice', {
    WebSocket: fake.WebSocket, strategy: 'ordered', reconnect: fast, requestTimeout: 500, ...options,
  });
  const states = [];
  c.on('state', (s) => states.push(s.state));
  c.on('error', () => {});
  return { c, fake, states };
}

async function connected(c, fake, node = 'node-1') {
  const connecting = c.connect();
  const socket = await fake.next();
  socket.welcome(node);
  await connecting;
  return socket;
}

test('connect goes connecting -> connected and claims the user in the URL', async () => {
  const { c, fake, states } = client();
  const events = [];
  c.on('connected', (e) => events.push(e));
  const socket = await connected(c, fake);
  assert.deepEqual(states, ['connecting', 'connected']);
  assert.equal(new URL(socket.url).searchParams.get('user'), 'alice');
  assert.deepEqual(socket.protocols, ['chatcluster.v1']);
  assert.equal(events[0].node, 'node-1');
  assert.equal(events[0].reconnected, false);
  assert.equal(c.connection.node, 'node-1');
  c.disconnect();
  assert.deepEqual(states, ['connecting', 'connected', 'disconnected']);
  assert.equal(socket.closedByClient.code, 1000);
});

test('a token function is called on every connection and offered as the sub-protocol', async () => {
  let calls = 0;
  const { c, fake } = client(NODES, { token: async () => `tok${++calls}` });
  const first = await connected(c, fake);
  assert.deepEqual(first.protocols, ['chatcluster.v1', 'tok1']);
  first.drop(1006);
  const second = await fake.next();
  assert.deepEqual(second.protocols, ['chatcluster.v1', 'tok2']);
  c.disconnect();
});

test('a token that cannot be a sub-protocol goes in an auth frame', async () => {
  const { c, fake } = client(NODES, { token: 'has space' });
  const connecting = c.connect();
  const socket = await fake.next();
  socket.readyState = 1;
  socket.onopen();
  assert.deepEqual(socket.sent[0], { type: 'auth', token: 'has space' });
  socket.push({ type: 'welcome', node: 'node-1', heartbeat: 30 });
  await connecting;
  c.disconnect();
});

test('a dropped connection reconnects to another node and resubscribes from its position', async () => {
  const { c, fake, states } = client();
  const socket = await connected(c, fake);
  const sub = c.subscribeToChannel('hist-a');
  socket.ack('subscribe', { channel: 'hist-a', offset: 10, epoch: 'e1', recovered: false });
  await sub;
  socket.push({ type: 'message', channel: 'hist-a', offset: 11, data: 'x' });

  const reconnecting = once(c, 'reconnecting');
  const disconnected = once(c, 'disconnected');
  socket.drop(1006);
  assert.equal((await disconnected).willReconnect, true);
  assert.equal((await reconnecting).code, 1006);
  const again = await fake.next();
  assert.equal(new URL(again.url).host, 'n2', 'the failed node is skipped');
  const resubscribed = once(c, 'subscribed');
  const reconnected = once(c, 'connected');
  again.welcome('node-2');
  assert.equal((await reconnected).reconnected, true);
  assert.deepEqual(again.last('subscribe').since, { offset: 11, epoch: 'e1' });
  again.ack('subscribe', { channel: 'hist-a', offset: 13, epoch: 'e1', recovered: true });
  assert.equal((await resubscribed).recovered, true);
  assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'connected']);
  c.disconnect();
});

test('recovered messages that follow the ack in the same read are delivered once, in order', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const got = [];
  c.on('message', (m) => got.push(m.offset));
  c.subscribeToChannel('hist-a');
  socket.ack('subscribe', { channel: 'hist-a', offset: 0, epoch: 'e1', recovered: false });
  [1, 2, 3].forEach((o) => socket.push({ type: 'message', channel: 'hist-a', offset: o }));
  socket.drop(1006);
  const again = await fake.next();
  again.welcome('node-2');
  // The ack, the recovered messages (2 and 3 again, then 4) and a live one, synchronously.
  again.ack('subscribe', { channel: 'hist-a', offset: 4, epoch: 'e1', recovered: true });
  [2, 3, 4, 5].forEach((o) => again.push({ type: 'message', channel: 'hist-a', offset: o }));
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  c.disconnect();
});

test('recovered:false after a reconnect surfaces as unrecovered, and reset as reset', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  c.subscribeToChannel('hist-a');
  socket.ack('subscribe', { channel: 'hist-a', offset: 7, epoch: 'e1', recovered: false });
  const reset = once(c, 'reset');
  socket.push({ type: 'reset', channel: 'hist-a', epoch: 'e2', offset: 0 });
  assert.equal((await reset).epoch, 'e2');
  socket.drop(1011);
  const again = await fake.next();
  again.welcome('node-2');
  assert.deepEqual(again.last('subscribe').since, { offset: 0, epoch: 'e2' });
  const unrecovered = once(c, 'unrecovered');
  again.ack('subscribe', { channel: 'hist-a', offset: 3, epoch: 'e3', recovered: false });
  assert.deepEqual(await unrecovered, { channel: 'hist-a', offset: 3, epoch: 'e3', recovered: false, resubscribed: true });
  c.disconnect();
});

test('1012 (draining) reconnects at once to another node without counting an attempt', async () => {
  const { c, fake } = client(NODES, { reconnect: { ...fast, initialDelay: 5000, maxDelay: 5000 } });
  const socket = await connected(c, fake);
  const reconnecting = once(c, 'reconnecting');
  socket.drop(1012, 'draining');
  const r = await reconnecting;
  assert.equal(r.delay, 0);
  assert.equal(r.attempt, 0);
  const again = await fake.next(200);
  assert.equal(new URL(again.url).host, 'n2');
  c.disconnect();
});

for (const code of [1003, 1008, 4001, 4003]) {
  test(`terminal close ${code} does not reconnect`, async () => {
    const { c, fake, states } = client();
    const socket = await connected(c, fake);
    const pending = c.presence('room-a');
    const error = once(c, 'error');
    const disconnected = once(c, 'disconnected');
    socket.drop(code, 'no');
    assert.equal((await disconnected).willReconnect, false);
    assert.equal((await error).code, 'closed');
    await assert.rejects(pending, { code: 'disconnected' });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(fake.sockets.length, 1, 'no new connection');
    assert.deepEqual(states, ['connecting', 'connected', 'disconnected']);
  });
}

test('reconnect delays grow with backoff while nodes refuse, and reset after a stable connection', async () => {
  const { c, fake } = client(NODES, { reconnect: { ...fast, stableAfter: 30 } });
  const delays = [];
  c.on('reconnecting', (r) => delays.push(r.delay));
  const connecting = c.connect();
  for (let i = 0; i < 4; i++) {
    (await fake.next()).drop(1006);
  }
  (await fake.next()).welcome();
  await connecting;
  assert.deepEqual(delays, [10, 20, 40, 40]);
  await new Promise((r) => setTimeout(r, 60));
  fake.sockets.at(-1).drop(1006);
  (await fake.next()).welcome();
  assert.equal(delays.at(-1), 10, 'backoff reset after stableAfter');
  c.disconnect();
});

test('maxAttempts gives up: connect rejects and the state is disconnected', async () => {
  const { c, fake } = client(NODES, { reconnect: { ...fast, maxAttempts: 2 } });
  const connecting = c.connect();
  for (let i = 0; i < 3; i++) {
    (await fake.next()).drop(1006);
  }
  await assert.rejects(connecting, { code: 'closed' });
  assert.equal(c.state, 'disconnected');
});

test('the heartbeat watchdog pings a silent link and reconnects when it stays silent', async () => {
  const { c, fake } = client(NODES, { heartbeatTimeout: 120 });
  try { // a failed assertion must not leave the client reconnecting (the test process would never end)
    const socket = await connected(c, fake);
    const reconnecting = once(c, 'reconnecting');
    const r = await reconnecting;
    // Pinged first (after half the timeout), then given up on: no timing assumed, a loaded machine runs late.
    assert.ok(socket.sent.some((f) => f.type === 'ping'), 'pinged before giving the link up');
    assert.match(r.reason, /heartbeat/);
    assert.ok(socket.closedByClient, 'the dead link was dropped');
  } finally {
    c.disconnect();
  }
});

test('frames keep the watchdog quiet', async () => {
  const { c, fake } = client(NODES, { heartbeatTimeout: 100 });
  const socket = await connected(c, fake);
  let reconnects = 0;
  c.on('reconnecting', () => reconnects++);
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 30));
    socket.push({ type: 'pong', id: null });
  }
  assert.equal(reconnects, 0);
  c.disconnect();
});

test('publishes while reconnecting are queued and sent after the resubscribes', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  c.subscribeToChannel('hist-a');
  socket.ack('subscribe', { channel: 'hist-a', offset: 0, epoch: 'e', recovered: false });
  socket.drop(1006);
  const p1 = c.sendMessage('hist-a', 'one');
  const p2 = c.sendMessage('hist-a', 'two');
  const again = await fake.next();
  again.welcome('node-2');
  assert.deepEqual(again.sent.map((f) => f.type), ['subscribe', 'publish', 'publish']);
  assert.deepEqual(again.sent.slice(1).map((f) => f.data), ['one', 'two']);
  again.push({ type: 'ack', id: again.sent[1].id, result: { channel: 'hist-a', offset: 1 } });
  again.push({ type: 'ack', id: again.sent[2].id, result: { channel: 'hist-a', offset: 2 } });
  assert.deepEqual((await Promise.all([p1, p2])).map((r) => r.offset), [1, 2]);
  c.disconnect();
});

test('the offline queue is bounded, queued commands time out, and nothing is queued before connect()', async () => {
  const { c, fake } = client(NODES, { offlineQueue: 1, requestTimeout: 50, reconnect: { ...fast, initialDelay: 1000 } });
  await assert.rejects(c.sendMessage('x', 1), { code: 'disconnected' });
  const socket = await connected(c, fake);
  socket.drop(1006);
  const queued = c.sendMessage('x', 1);
  await assert.rejects(c.sendMessage('x', 2), { code: 'queue_full' });
  await assert.rejects(queued, { code: 'timeout' });
  c.disconnect();
});

test('a command in flight when the link drops fails with disconnected', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const p = c.history('hist-a');
  socket.drop(1006);
  await assert.rejects(p, { code: 'disconnected' });
  c.disconnect();
});

test('an unanswered command times out; node errors carry the contract code', async () => {
  const { c, fake } = client(NODES, { requestTimeout: 30 });
  const socket = await connected(c, fake);
  await assert.rejects(c.presence('room'), { code: 'timeout' });
  const p = c.sendDirect('bob', 'hi');
  assert.deepEqual(socket.last('send').to, { user: 'bob' });
  socket.error('send', 'not_found', 'user bob is not connected');
  await assert.rejects(p, { code: 'not_found', message: 'user bob is not connected' });
  c.disconnect();
});

test('a publish answered unavailable rejects and emits unavailable', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const event = once(c, 'unavailable');
  const p = c.sendMessage('hist-a', 'm');
  socket.error('publish', 'unavailable', 'broker unreachable');
  await assert.rejects(p, { code: 'unavailable' });
  const e = await event;
  assert.equal(e.channel, 'hist-a');
  assert.equal(e.error.code, 'unavailable');
  c.disconnect();
});

test('a subscribe the node refuses is rejected and not made again', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const p = c.subscribeToChannel('private-x');
  socket.error('subscribe', 'forbidden');
  await assert.rejects(p, { code: 'forbidden' });
  assert.deepEqual(c.channels, []);
  c.disconnect();
});

test('pushes are emitted under their type; unsubscribed channels are not resubscribed', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const seen = [];
  for (const type of ['event', 'direct', 'broadcast', 'join', 'leave', 'task']) {
    c.on(type, (f) => seen.push(f.type));
    socket.push({ type });
  }
  assert.deepEqual(seen, ['event', 'direct', 'broadcast', 'join', 'leave', 'task']);
  c.subscribeToChannel('a');
  socket.ack('subscribe', { channel: 'a', offset: 0, epoch: 'e', recovered: false });
  const left = c.unsubscribeFromChannel('a');
  socket.ack('unsubscribe', { channel: 'a' });
  await left;
  socket.drop(1006);
  const again = await fake.next();
  again.welcome();
  assert.deepEqual(again.sent, []);
  c.disconnect();
});

test('schedule, tasks and cancelTask speak the request, tasks and cancel commands', async () => {
  const { c, fake } = client();
  const socket = await connected(c, fake);
  const scheduled = c.schedule({ path: '/sync', method: 'POST', body: {}, interval: 300 });
  assert.deepEqual(socket.ack('request', { task: 't1', interval: 300, next: 1 }).interval, 300);
  assert.equal((await scheduled).task, 't1');
  const list = c.tasks();
  socket.ack('tasks', { tasks: [{ task: 't1' }] });
  assert.deepEqual(await list, [{ task: 't1' }]);
  const cancelled = c.cancelTask('t1');
  assert.equal(socket.ack('cancel', { task: 't1' }).task, 't1');
  await cancelled;
  const once_ = c.request({ path: '/p', method: 'GET' });
  assert.equal(socket.last('request').interval, undefined);
  socket.ack('request', { status: 200, headers: {}, body: 1 });
  assert.equal((await once_).status, 200);
  await assert.rejects(c.schedule({ path: '/p' }), { code: 'bad_request' });
  c.disconnect();
});
