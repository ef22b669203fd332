/**
 * End to end: two Chromium pages open the chat page through nginx, each pinned (by nginx's route
 * cookie) to a different node, join one room and exchange messages; both see who is present.
 * Then one page's node is killed: the page reconnects to another node and the chat goes on.
 * Screenshots are kept in test-results/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { randomId, startCluster } from '../support/cluster.js';
import { launchChromium } from '../support/chromium.js';

const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
let cluster;
let browser;

before(async () => {
  [cluster, browser] = await Promise.all([startCluster(), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
});

/** Route cookies that nginx sends to two different nodes, found by connecting with random ones. */
async function cookiesForTwoNodes() {
  const byNode = new Map();
  for (let i = 0; i < 40 && byNode.size < 2; i++) {
    const cookie = [...Array(4)].map(randomId).join('').slice(0, 32);
    const probe = new ChatClusterClient(cluster.publicUrl, null, {
      WebSocket, webSocketOptions: { headers: { Cookie: `ccroute=${cookie}` } },
    });
    const { node } = await probe.connect();
    probe.disconnect();
    if (!byNode.has(node)) {
      byNode.set(node, cookie);
    }
  }
  assert.equal(byNode.size, 2, 'two route cookies for two nodes');
  return [...byNode.entries()].map(([node, cookie]) => ({ node, cookie }));
}

async function openChat({ node, cookie }, name, room) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await context.addCookies([{ name: 'ccroute', value: cookie, url: cluster.httpUrl }]);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${cluster.httpUrl}/`);
  await page.fill('#name', name);
  await page.fill('#channel', room);
  await page.click('#join-button');
  await page.waitForSelector('#status[data-state="connected"]', { timeout: 20000 });
  assert.equal(await page.textContent('#status'), `${name} on ${node}`, 'the page shows the node it is pinned to');
  return { page, problems, close: () => context.close() };
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send-button');
}

const seen = (page, text) => page.waitForFunction(
  (t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent.includes(t)), text, { timeout: 15000 });

test('two chat pages on two nodes, through nginx, exchange messages and see each other present', { timeout: 120000 }, async () => {
  const [first, second] = await cookiesForTwoNodes();
  const room = `room-e2e-${randomId()}`;
  const alice = await openChat(first, 'alice', room);
  const bob = await openChat(second, 'bob', room);

  await say(alice.page, 'Hello from alice');
  await seen(bob.page, 'Hello from alice');
  await say(bob.page, 'Hi alice, bob here');
  await seen(alice.page, 'Hi alice, bob here');
  await seen(alice.page, 'Hello from alice');

  for (const { page } of [alice, bob]) {
    await page.waitForFunction(() => document.querySelectorAll('#members li').length === 2, null, { timeout: 15000 });
  }
  const members = await alice.page.$$eval('#members li', (lis) => lis.map((li) => li.textContent).sort());
  assert.deepEqual(members, [`alice${first.node}`, `bob${second.node}`]);
  const order = await bob.page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(order, ['aliceHello from alice', 'bobHi alice, bob here']);

  mkdirSync(RESULTS, { recursive: true });
  await alice.page.screenshot({ path: `${RESULTS}chat-page-alice.png` });
  await bob.page.screenshot({ path: `${RESULTS}chat-page-bob.png` });
  console.log(`alice on ${first.node}, bob on ${second.node}; screenshots in ${RESULTS}`);
  assert.deepEqual([...alice.problems, ...bob.problems], [], 'no script errors on the pages');
  await Promise.all([alice.close(), bob.close()]);
});

test('the page shows its reconnect and moves to another node when its node is killed', { timeout: 120000 }, async () => {
  const [first, second] = await cookiesForTwoNodes();
  const room = `room-e2e-${randomId()}`;
  const alice = await openChat(first, 'alice', room);
  const bob = await openChat(second, 'bob', room);
  await bob.page.evaluate(() => {
    window.seenStates = [];
    window.chatClient.on('state', (s) => window.seenStates.push(s.state));
  });
  process.kill(cluster.node(second.node).pid, 'SIGKILL');
  await bob.page.waitForFunction((dead) => {
    const status = document.getElementById('status');
    return status.dataset.state === 'connected' && !status.textContent.endsWith(dead);
  }, second.node, { timeout: 15000 });
  assert.deepEqual(await bob.page.evaluate(() => window.seenStates), ['reconnecting', 'connected']);
  await say(alice.page, 'still there, bob?');
  await seen(bob.page, 'still there, bob?');
  const movedTo = (await bob.page.textContent('#status')).split(' on ')[1];
  // The dead node's presence entries go; bob is listed once, on his new node.
  await bob.page.waitForFunction((expected) => JSON.stringify([...document.querySelectorAll('#members li')]
    .map((li) => li.textContent).sort()) === expected,
  JSON.stringify([`alice${first.node}`, `bob${movedTo}`]), { timeout: 15000 });
  await bob.page.screenshot({ path: `${RESULTS}chat-page-bob-after-failover.png` });
  console.log(`bob moved from ${second.node} to ${movedTo}`);
  assert.deepEqual(bob.problems, []);
  await Promise.all([alice.close(), bob.close()]);
});
