/**
 * The client against a real local cluster (launcher: redis-server, three nodes, nginx): the chat
 * page is served, a drained node's clients move at once, and a kill -9 loses no message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { randomId, startCluster, until } from '../support/cluster.js';

const MESSAGES = 1000;
const BOUNDED = { timeout: 120000 };
let cluster;
const clients = [];

function client(nodes, user, options = {}) {
  const c = new ChatClusterClient(nodes, user, { WebSocket, requestTimeout: 15000, ...options });
  c.on('error', (e) => console.log(`${user}: ${e.code} ${e.message}`));
  clients.push(c);
  return c;
}

before(async () => {
  // Drains spread their 1012 closes over one second instead of ten; the writer publishes about
  // 500 messages a second, above the default per-connection limit of 100 frames a second.
  cluster = await startCluster({ env: { WEBSOCKET_DRAIN_TIMEOUT: '1', WEBSOCKET_RATE_LIMIT: '2000' } });
});

after(async () => {
  clients.forEach((c) => c.disconnect());
  await cluster?.stop();
});

test('every node serves the chat page, and nginx passes it through at /', BOUNDED, async () => {
  for (const base of [cluster.httpUrl, `http://127.0.0.1:${cluster.nodes[0].port}`]) {
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200, base);
    assert.match(page.headers.get('content-type'), /text\/html/);
    const html = await page.text();
    assert.match(html, /<title>ChatCluster<\/title>/);
    assert.match(html, /src="\/app\/chat\.js"/);
    const module = await fetch(`${base}/app/client/ChatClusterClient.js`);
    assert.equal(module.status, 200);
    assert.match(module.headers.get('content-type'), /javascript/);
    assert.match(await module.text(), /export class ChatClusterClient/);
  }
  assert.match((await fetch(`${cluster.httpUrl}/`)).headers.get('set-cookie') ?? '', /ccroute=/);
  assert.equal((await fetch(`${cluster.httpUrl}/nothing-here`)).status, 404);
});

test('a client on a draining node (1012) reconnects at once to the next node and keeps its subscription', BOUNDED, async () => {
  const drained = cluster.node('node-3'); // scale-down drains the newest node
  const list = [drained, cluster.node('node-1'), cluster.node('node-2')].map((n) => n.url);
  const c = client(list, 'drained', { strategy: 'ordered', reconnect: { initialDelay: 20000, maxDelay: 20000 } });
  assert.equal((await c.connect()).node, 'node-3');
  const channel = `hist-drain-${randomId()}`;
  await c.subscribeToChannel(channel);
  const got = [];
  c.on('message', (m) => got.push(m.data));
  const reconnecting = new Promise((ok) => c.on('reconnecting', ok));
  const moved = new Promise((ok) => c.on('connected', ok));
  await cluster.cli('scale', '--nodes', '2');
  const r = await reconnecting;
  assert.equal(r.code, 1012);
  assert.equal(r.delay, 0, 'no backoff after a drain');
  assert.equal((await moved).node, 'node-1', 'the next node of the list');
  await c.sendMessage(channel, 'after the drain');
  await until(() => got.length === 1, 5000, 'the message after the drain');
});

test(`kill -9 of the node a client is on, while another publishes ${MESSAGES} messages: all arrive once, in order`, BOUNDED, async () => {
  const channel = `hist-kill-${randomId()}`;
  const reader = client(cluster.publicUrl, 'reader', { reconnect: { initialDelay: 300, maxDelay: 3000 } });
  const received = [];
  reader.on('message', (m) => received.push(m.data));
  const readerWelcome = await reader.connect();
  await reader.subscribeToChannel(channel);
  const victim = cluster.node(readerWelcome.node);
  const survivor = cluster.nodes.find((n) => n.id !== victim.id && n.id !== 'node-3');
  assert.ok(victim && survivor, `reader on ${readerWelcome.node}`);

  const writer = client(survivor.url, 'writer');
  await writer.connect();
  await writer.subscribeToChannel(channel);

  let killedAt = 0;
  let reconnectedAt = 0;
  let reconnectedTo = null;
  reader.on('connected', (w) => {
    if (w.reconnected && !reconnectedAt) {
      reconnectedAt = performance.now();
      reconnectedTo = w.node;
    }
  });
  const unrecovered = [];
  reader.on('unrecovered', (u) => unrecovered.push(u));

  // 1,000 publishes in bursts of 20 every 40 ms (about two seconds); the kill comes after 300.
  const acks = [];
  for (let i = 0; i < MESSAGES; i++) {
    acks.push(writer.sendMessage(channel, i).catch((e) => e));
    if (i === 300) {
      killedAt = performance.now();
      process.kill(victim.pid, 'SIGKILL');
    }
    if (i % 20 === 19) {
      await new Promise((r) => setTimeout(r, 40));
    }
  }
  const answers = await Promise.all(acks);
  assert.deepEqual(answers.filter((a) => a instanceof Error).map((e) => e.message), [], 'every publish acked');
  const offsets = answers.map((a) => a.offset);
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'the writer\'s publishes got increasing offsets');

  await until(() => received.length >= MESSAGES, 30000, `${MESSAGES} messages (have ${received.length})`);
  await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
  const reconnectMs = Math.round(reconnectedAt - killedAt);
  console.log(`kill -9 of ${victim.id}: reader reconnected to ${reconnectedTo} ${reconnectMs} ms after the kill; `
    + `received ${received.length} messages, ${received.length - new Set(received).size} duplicates`);
  assert.ok(reconnectedAt > 0, 'the reader reconnected');
  assert.notEqual(reconnectedTo, victim.id);
  assert.ok(reconnectMs < 5000, `reconnected ${reconnectMs} ms after the kill`);
  assert.deepEqual(unrecovered, [], 'the resubscribe recovered the gap');
  assert.equal(received.length, MESSAGES, 'no duplicates');
  assert.deepEqual(received, [...Array(MESSAGES).keys()], 'all messages, in order');
});
