/**
 * The operations console (/admin, docs/admin.md) in headless Chromium, on a three-node launcher
 * cluster behind nginx: log in, the dashboard's nodes and connection counts, the chart following 30
 * more clients, the channel browser, a user's two sessions on two nodes and their disconnect, a
 * publish that reaches every node, and a drain that moves a node's clients to the others.
 * Screenshots of every page are kept in test-results/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { randomId, sleep, startCluster, until } from '../support/cluster.js';
import { launchChromium } from '../support/chromium.js';

const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const TOKEN = `console-test-${randomId()}${randomId()}`;
let cluster;
let browser;
const clients = [];

before(async () => {
  [cluster, browser] = await Promise.all([startCluster({ env: { ADMIN_TOKEN: TOKEN } }), launchChromium()]);
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  closeAll();
  await browser?.close();
  await cluster?.stop();
});

function closeAll() {
  for (const c of clients.splice(0)) {
    c.disconnect();
  }
}

/** A client on one node's own URL (index 0-2), or through nginx with `url`; connected. */
async function connect(target, user = `u-${randomId()}`, device = `d-${randomId()}`) {
  const url = typeof target === 'number' ? cluster.nodes[target].url : target;
  const client = new ChatClusterClient(url, user, { WebSocket, device });
  client.events = [];
  for (const name of ['connected', 'disconnected', 'reconnecting']) {
    client.on(name, (e) => client.events.push({ name, ...e }));
  }
  client.info = await client.connect();
  clients.push(client);
  return client;
}

const shot = (page, name) => page.screenshot({ path: `${RESULTS}admin-${name}.png`, fullPage: true });

/** The connections cell of every node row of the dashboard, by node id. */
const dashboardCounts = (page) => page.$$eval('#nodes-table tbody tr', (rows) => Object.fromEntries(
  rows.map((r) => [r.dataset.node, Number(r.querySelector('td.connections').textContent)])));

test('the console shows and steers the whole cluster', { timeout: 300000 }, async () => {
  assert.match(cluster.output(), new RegExp(`console\\s+http://127\\.0\\.0\\.1:${cluster.port}/admin/\\s+\\(admin token from ADMIN_TOKEN\\)`),
    'the launcher prints the console and its token');
  const ids = cluster.nodes.map((n) => n.id);
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k <= i; k++) {
      await connect(i);
    }
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${cluster.httpUrl}/admin/`);
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.click('#login-button');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.includes('refused'));
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.click('#login-button');
  await page.waitForSelector('#view-dashboard:not([hidden])');
  await page.waitForFunction(() => document.querySelectorAll('#nodes-table tbody tr').length === 3);
  await until(async () => JSON.stringify(await dashboardCounts(page)) === JSON.stringify({ [ids[0]]: 1, [ids[1]]: 2, [ids[2]]: 3 }),
    10000, 'the dashboard counts 1, 2 and 3 connections');
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 1, 'the token is in sessionStorage');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await shot(page, 'dashboard');

  // 30 more clients: the connections chart follows within 10 s.
  const started = Date.now();
  await Promise.all([...Array(30).keys()].map((i) => connect(i % 3)));
  await page.waitForFunction(() => JSON.parse(document.getElementById('connections-chart').dataset.latest ?? '{}')
    .total === 36, null, { timeout: 10000 });
  console.log(`chart showed 36 connections ${Date.now() - started} ms after the 30 clients started connecting`);
  assert.match(await page.getAttribute('#connections-chart', 'aria-label'), /total 36/);
  await shot(page, 'dashboard-36');
  closeAll();

  // The channel browser finds a channel by prefix with its cluster-wide subscriber count.
  const room = `room-adm-${randomId()}`;
  for (const i of [0, 1, 2, 2]) {
    const c = await connect(i, `member-${i}-${randomId()}`);
    await c.subscribeToChannel(room);
  }
  await clients[0].sendMessage(room, 'first message');
  await page.click('nav a[data-view="channels"]');
  await page.getByLabel('Name starts with').fill('room-adm-');
  await page.click('#search-button');
  const row = page.locator(`#channels-table tr[data-channel="${room}"]`);
  await row.waitFor();
  assert.equal(await row.locator('td.subscribers').textContent(), '4');
  await shot(page, 'channels');
  await row.locator('a').click();
  await page.waitForFunction(() => document.querySelectorAll('#presence-list li').length === 4);
  await page.waitForFunction(() => document.getElementById('history-list').textContent.includes('first message'));
  await shot(page, 'channel');
  closeAll();

  // A user's two sessions on two nodes; disconnect closes both with 4003 and they stay away.
  const one = await connect(0, 'ursula', 'u-phone');
  const two = await connect(1, 'ursula', 'u-laptop');
  await page.click('nav a[data-view="user"]');
  await page.getByLabel('User id').fill('ursula');
  await page.click('#lookup-button');
  await page.waitForFunction(() => document.querySelectorAll('#sessions-table tbody tr').length === 2);
  const nodesOfUrsula = await page.$$eval('#sessions-table tbody tr', (rows) => rows.map((r) => r.cells[1].textContent).sort());
  assert.deepEqual(nodesOfUrsula, [ids[0], ids[1]].sort());
  await shot(page, 'user');
  await page.click('#disconnect-user');
  await page.waitForSelector('#confirm[open]');
  await shot(page, 'user-confirm');
  await page.click('#confirm-ok');
  await until(() => one.events.some((e) => e.name === 'disconnected') && two.events.some((e) => e.name === 'disconnected'),
    10000, 'both sessions closed');
  await sleep(2000);
  for (const c of [one, two]) {
    const closed = c.events.filter((e) => e.name === 'disconnected');
    assert.equal(closed.length, 1);
    assert.equal(closed[0].code, 4003);
    assert.equal(closed[0].willReconnect, false);
    assert.equal(c.events.filter((e) => e.name === 'reconnecting').length, 0, 'no reconnect after the terminal code');
  }
  await page.waitForFunction(() => document.querySelectorAll('#sessions-table tbody tr').length === 0);
  closeAll();

  // A publish from the console reaches subscribers on every node.
  const news = `room-news-${randomId()}`;
  const readers = [];
  for (let i = 0; i < 3; i++) {
    const c = await connect(i);
    c.received = [];
    c.on('message', (m) => c.received.push(m));
    await c.subscribeToChannel(news);
    readers.push(c);
  }
  await page.click('nav a[data-view="publish"]');
  await page.getByRole('textbox', { name: 'Channel', exact: true }).fill(news);
  await page.getByLabel('Data (JSON, or plain text)').fill('{"notice":"maintenance at 5"}');
  await page.click('#publish-button');
  await page.waitForFunction(() => document.getElementById('publish-result').textContent.includes('offset 1'));
  await until(() => readers.every((c) => c.received.some((m) => m.data?.notice === 'maintenance at 5')), 10000,
    'the publish on every node');
  assert.deepEqual(readers.map((c) => c.info.node).sort(), [...ids].sort());
  await shot(page, 'publish');
  closeAll();

  // Drain: a node's clients (here through nginx) move to the others.
  const viaNginx = [];
  for (let i = 0; i < 12; i++) {
    viaNginx.push(await connect(cluster.publicUrl));
  }
  const counts = {};
  viaNginx.forEach((c) => { counts[c.info.node] = (counts[c.info.node] ?? 0) + 1; });
  const target = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
  const moving = viaNginx.filter((c) => c.info.node === target);
  await page.click('nav a[data-view="dashboard"]');
  await page.getByRole('button', { name: `Drain ${target}` }).click();
  await page.waitForSelector('#confirm[open]');
  await page.click('#confirm-ok');
  await until(() => moving.every((c) => {
    const last = c.events.filter((e) => e.name === 'connected').at(-1);
    return last && last.node !== target;
  }), 30000, `the clients of ${target} on the other nodes`);
  for (const c of moving) {
    assert.equal(c.events.find((e) => e.name === 'disconnected').code, 1012);
  }
  await page.waitForFunction((id) => document.querySelector(`#nodes-table tr[data-node="${id}"]`)?.dataset.state
    === 'draining', target, { timeout: 10000 });
  await until(async () => (await dashboardCounts(page))[target] === 0, 10000, `${target} at 0 connections`);
  console.log(`drained ${target}: its ${moving.length} clients moved to the other nodes`);
  await shot(page, 'dashboard-drained');

  await page.setViewportSize({ width: 390, height: 844 });
  await sleep(300);
  await shot(page, 'dashboard-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, 'nothing wider than a phone screen (tables scroll inside their box)');
  assert.deepEqual(problems, [], 'no script errors on the page');
  await context.close();
});
