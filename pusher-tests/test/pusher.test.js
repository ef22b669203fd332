/**
 * The Pusher protocol on a real three-node cluster behind nginx (the launcher jar: redis-server, three
 * nodes, nginx), driven by the clients Pusher users run unchanged: pusher-js (in Node), Laravel Echo
 * with its Pusher connector, and the `pusher` server SDK (trigger, triggerBatch, channel queries,
 * terminateUserConnections, webhook verification). pusher-js clients are pinned one per node (their
 * wsPort is a node's own port) so that every delivery checked crosses nodes; Echo and the SDK go
 * through nginx.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import WebSocket from 'ws';
import { ChatClusterClient } from '../../js-client/src/ChatClusterClient.js';
import { startCluster, until } from '../../js-client/test/support/cluster.js';
import { launchChromium } from '../../js-client/test/support/chromium.js';
import { APP, sdk, startAuthServer, startWebhookReceiver } from './support/servers.js';

const BOUNDED = { timeout: 60000 };
let cluster;
let auth;
let hooks;
let server;
const opened = [];

before(async () => {
  auth = await startAuthServer();
  hooks = await startWebhookReceiver();
  cluster = await startCluster({
    env: {
      PUSHER_APP_ID: APP.id, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret, PUSHER_APP_WEBHOOKS: hooks.url,
      PUSHER_APP_SUBSCRIPTION_COUNT: 'true', PUSHER_APP_WATCHLIST_EVENTS: 'true',
    },
  });
  server = sdk(cluster.port);
});

after(async () => {
  opened.forEach((c) => c.disconnect());
  await cluster?.stop();
  auth?.close();
  hooks?.close();
});

const clientOptions = (port, user) => ({
  wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'local',
  disableStats: true,
  channelAuthorization: { endpoint: `${auth.url}/auth?user=${user}`, transport: 'ajax' },
  userAuthentication: { endpoint: `${auth.url}/signin?user=${user}`, transport: 'ajax' },
});

/** pusher-js connected to node {@code i} (0, 1, 2) directly, as {@code user} (signing in with {@code signinQuery}). */
async function pusherOn(i, user, signinQuery = '') {
  const options = clientOptions(cluster.nodes[i].port, user);
  options.userAuthentication.endpoint += signinQuery;
  const p = new Pusher(APP.key, options);
  opened.push(p);
  await until(() => p.connection.state === 'connected', 15000, `pusher-js ${user} connected to node ${i + 1}`);
  return p;
}

/** Laravel Echo with the Pusher connector, through nginx. */
async function echoAs(user) {
  const echo = new Echo({
    broadcaster: 'pusher', key: APP.key, wsHost: '127.0.0.1', wsPort: cluster.port, forceTLS: false,
    enabledTransports: ['ws'], cluster: 'local', disableStats: true, authEndpoint: `${auth.url}/auth?user=${user}`,
    Pusher,
  });
  opened.push(echo);
  await until(() => echo.connector.pusher.connection.state === 'connected', 15000, `echo ${user} connected`);
  return echo;
}

/** Subscribes and records every event of the channel. */
async function subscribe(p, name) {
  const channel = p.subscribe(name);
  channel.received = [];
  channel.bind_global((event, data) => channel.received.push({ event, data }));
  await until(() => channel.subscribed, 15000, `subscribed to ${name}`);
  return channel;
}

const named = (channel, event) => channel.received.filter((e) => e.event === event);

test('trigger and triggerBatch reach pusher-js on every node and Echo through nginx', BOUNDED, async () => {
  const clients = await Promise.all([0, 1, 2].map((i) => pusherOn(i, `u${i}`)));
  const channels = await Promise.all(clients.map((p) => subscribe(p, 'news')));
  const echo = await echoAs('erin');
  const headlines = [];
  echo.channel('news').listen('.headline', (e) => headlines.push(e));
  await until(() => echo.connector.channels.news?.subscription?.subscribed, 15000, 'echo subscribed');

  await server.trigger('news', 'headline', { n: 1 });
  await server.triggerBatch([
    { channel: 'news', name: 'headline', data: { n: 2 } },
    { channel: 'sports', name: 'score', data: { n: 3 } },
  ]);
  await until(() => channels.every((c) => named(c, 'headline').length === 2) && headlines.length === 2, 10000,
    'both headlines everywhere');
  for (const c of channels) {
    assert.deepEqual(named(c, 'headline').map((e) => e.data), [{ n: 1 }, { n: 2 }]);
    assert.equal(named(c, 'score').length, 0, 'another channel\'s event');
  }
  assert.deepEqual(headlines, [{ n: 1 }, { n: 2 }]);

  // socket_id exclusion: the excluded socket gets the next event, not this one.
  await server.trigger('news', 'headline', { n: 4 }, { socket_id: clients[0].connection.socket_id });
  await server.trigger('news', 'headline', { n: 5 });
  await until(() => channels.every((c) => named(c, 'headline').some((e) => e.data.n === 5)), 10000, 'n=5');
  assert.deepEqual(named(channels[0], 'headline').map((e) => e.data.n), [1, 2, 5]);
  assert.deepEqual(named(channels[1], 'headline').map((e) => e.data.n), [1, 2, 4, 5]);
  await until(() => headlines.length === 4, 5000, 'echo got n=4 and n=5');
  clients.forEach((p) => p.disconnect());
  echo.disconnect();
});

test('private channels: authorized by the auth endpoint, client events reach the others, not the sender',
  BOUNDED, async () => {
    const a = await pusherOn(0, 'alice');
    const b = await pusherOn(1, 'bob');
    const [ca, cb] = await Promise.all([subscribe(a, 'private-orders'), subscribe(b, 'private-orders')]);
    const echo = await echoAs('erin');
    const whispers = [];
    echo.private('orders').listenForWhisper('typing', (e) => whispers.push(e));
    await until(() => echo.connector.channels['private-orders']?.subscription?.subscribed, 15000, 'echo private');

    assert.equal(ca.trigger('client-typing', { who: 'alice' }), true);
    await until(() => named(cb, 'client-typing').length === 1 && whispers.length === 1, 10000, 'client event');
    echo.private('orders').whisper('typing', { who: 'erin' });
    await until(() => named(ca, 'client-typing').length === 1 && named(cb, 'client-typing').length === 2, 10000,
      'whisper');
    await server.trigger('private-orders', 'marker', {});
    await until(() => named(ca, 'marker').length === 1 && named(cb, 'marker').length === 1, 10000, 'marker');
    assert.deepEqual(named(ca, 'client-typing').map((e) => e.data), [{ who: 'erin' }], 'alice never gets her own');
    assert.deepEqual(whispers, [{ who: 'alice' }], 'erin never gets her own');
    await until(() => hooks.events().filter((e) => e.name === 'client_event').length === 2, 5000,
      'client_event webhooks');

    // A subscription signed with another secret is refused; so is an API call.
    const errors = [];
    const forged = new Pusher(APP.key, {
      ...clientOptions(cluster.nodes[2].port, 'mallory'),
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) => callback(null,
          sdk(cluster.port, { secret: 'wrong' }).authorizeChannel(socketId, channelName)),
      },
    });
    opened.push(forged);
    forged.subscribe('private-orders').bind('pusher:subscription_error', (e) => errors.push(e));
    await until(() => errors.length === 1, 10000, 'subscription_error');
    assert.equal(errors[0].status, 401);
    await assert.rejects(sdk(cluster.port, { secret: 'wrong' }).trigger('news', 'x', {}), (e) => e.status === 401);
    [a, b, forged].forEach((p) => p.disconnect());
    echo.disconnect();
  });

test('presence: members appear and leave on both sides, webhooks once per cluster', BOUNDED, async () => {
  const a = await pusherOn(0, 'ann');
  const ca = await subscribe(a, 'presence-lobby');
  assert.deepEqual(Object.keys(ca.members.members), ['ann']);

  const echo = await echoAs('eve');
  let here = null;
  const joining = [];
  const leaving = [];
  echo.join('lobby').here((users) => { here = users; }).joining((u) => joining.push(u)).leaving((u) => leaving.push(u));
  await until(() => here !== null, 15000, 'echo here');
  assert.deepEqual(here.map((u) => u.name).sort(), ['ANN', 'EVE']);

  const b = await pusherOn(2, 'ben');
  const cb = await subscribe(b, 'presence-lobby');
  assert.equal(cb.members.count, 3);
  await until(() => joining.length === 1 && ca.members.count === 3, 10000, 'ben seen joining');
  assert.deepEqual(joining, [{ name: 'BEN' }]);

  const users = await (await server.get({ path: '/channels/presence-lobby/users' })).json();
  assert.deepEqual(users.users.map((u) => u.id).sort(), ['ann', 'ben', 'eve']);
  const info = await (await server.get({ path: '/channels/presence-lobby',
    params: { info: 'user_count,subscription_count' } })).json();
  assert.deepEqual(info, { occupied: true, subscription_count: 3, user_count: 3 });
  const list = await (await server.get({ path: '/channels', params: { filter_by_prefix: 'presence-',
    info: 'user_count' } })).json();
  assert.deepEqual(list.channels['presence-lobby'], { user_count: 3 });

  b.disconnect();
  await until(() => leaving.length === 1 && ca.members.count === 2, 10000, 'ben seen leaving');
  a.disconnect();
  await until(() => leaving.length === 2, 10000, 'ann seen leaving');
  await new Promise((r) => setTimeout(r, 300));
  echo.disconnect();

  const lobby = (name) => hooks.events().filter((e) => e.name === name && e.channel === 'presence-lobby');
  await until(() => lobby('channel_vacated').length >= 1 && lobby('member_removed').length === 3, 10000,
    'vacated and removed webhooks');
  await new Promise((r) => setTimeout(r, 500)); // a duplicate would have arrived by now
  assert.equal(lobby('channel_occupied').length, 1, 'channel_occupied once per cluster');
  assert.deepEqual(lobby('member_added').map((e) => e.user_id).sort(), ['ann', 'ben', 'eve']);
  assert.deepEqual(lobby('member_removed').map((e) => e.user_id).sort(), ['ann', 'ben', 'eve']);
  assert.equal(lobby('channel_vacated').length, 1, 'channel_vacated once per cluster');
  assert.ok(hooks.requests.every((r) => r.valid), 'every webhook passes the SDK verification');
  console.log(`webhooks: ${hooks.requests.length} requests, ${hooks.events().length} events, all valid`);
});

test('cache channels replay their last event; sign-in and terminateUserConnections', BOUNDED, async () => {
  // An empty cache channel: pusher:cache_miss to the client, the cache_miss webhook to the app.
  const early = await pusherOn(0, 'eve');
  const empty = await subscribe(early, 'cache-empty');
  await until(() => named(empty, 'pusher:cache_miss').length === 1, 10000, 'pusher:cache_miss');
  await until(() => hooks.events().some((e) => e.name === 'cache_miss' && e.channel === 'cache-empty'), 10000,
    'cache_miss webhook');
  early.disconnect();
  await server.trigger('cache-prices', 'price', { eur: 1 });
  await server.trigger('cache-prices', 'price', { eur: 2 });
  const a = await pusherOn(1, 'carl');
  const ca = await subscribe(a, 'cache-prices');
  await until(() => named(ca, 'price').length === 1, 10000, 'cached event');
  assert.deepEqual(named(ca, 'price')[0].data, { eur: 2 });

  a.signin();
  await until(() => a.user.user_data?.id === 'carl', 10000, 'signed in');
  const b = await pusherOn(2, 'dora');
  await server.terminateUserConnections('carl');
  await until(() => a.connection.state !== 'connected', 10000, 'carl terminated');
  assert.equal(b.connection.state, 'connected');
  a.disconnect();
  b.disconnect();
});

test('native and Pusher clients meet on a public channel\'s twin pusher.{app}.{channel}', BOUNDED, async () => {
  const p = await pusherOn(0, 'pia');
  const cp = await subscribe(p, 'lobby');
  const native = new ChatClusterClient([`ws://127.0.0.1:${cluster.nodes[1].port}/ws`], 'nat', { WebSocket });
  opened.push(native);
  const events = [];
  native.on('event', (e) => events.push(e));
  await native.connect();
  await native.subscribeToChannel(`pusher.${APP.id}.lobby`);

  await server.trigger('lobby', 'greeting', { text: 'from the SDK' });
  await until(() => events.length === 1, 10000, 'native got the Pusher event');
  assert.equal(events[0].name, 'greeting');
  assert.deepEqual(events[0].data, { text: 'from the SDK' });

  await native.sendMessage(`pusher.${APP.id}.lobby`, { text: 'from a native client' });
  await until(() => named(cp, 'message').length === 1, 10000, 'pusher-js got the native message');
  assert.deepEqual(named(cp, 'message')[0].data, { text: 'from a native client' });
  p.disconnect();
});

// Last: it kills a node. Presence is decided once for both protocols (the node's presence membership):
// a dead node's members leave once, cluster-wide, unless the same user is still connected elsewhere.
test('trigger and triggerBatch with info answer each channel\'s counts, cluster-wide, as GET channels does',
  BOUNDED, async () => {
    const [a, b, c] = await Promise.all([pusherOn(0, 'ann'), pusherOn(1, 'ben'), pusherOn(2, 'ann')]);
    for (const p of [a, b, c]) {
      await subscribe(p, 'presence-counted');
    }
    await subscribe(a, 'counted');
    await subscribe(b, 'counted');
    // ann twice (two sockets on two nodes), ben once: 3 subscriptions, 2 users.
    const answer = await (await server.trigger(['presence-counted', 'counted'], 'tick', {},
      { info: 'subscription_count,user_count' })).json();
    assert.deepEqual(answer, { channels: {
      'presence-counted': { subscription_count: 3, user_count: 2 }, counted: { subscription_count: 2 } } });
    const viaGet = await (await server.get({ path: '/channels/presence-counted',
      params: { info: 'subscription_count,user_count' } })).json();
    assert.deepEqual(viaGet, { occupied: true, subscription_count: 3, user_count: 2 });

    const batch = await (await server.triggerBatch([
      { channel: 'counted', name: 'tick', data: {}, info: 'subscription_count' },
      { channel: 'news', name: 'tick', data: {} },
      { channel: 'presence-counted', name: 'tick', data: {}, info: 'user_count' },
    ])).json();
    assert.deepEqual(batch, { batch: [{ subscription_count: 2 }, {}, { user_count: 2 }] });

    const list = await (await server.get({ path: '/channels', params: { info: 'subscription_count' } })).json();
    assert.equal(list.channels.counted.subscription_count, 2);
    assert.equal(list.channels['presence-counted'].subscription_count, 3);

    await assert.rejects(server.trigger('counted', 'tick', {}, { info: 'user_count' }),
      (e) => e.status === 400, 'user_count on a public channel is a bad request');
    c.disconnect();
    await until(async () => (await (await server.trigger('presence-counted', 'tick', {}, { info: 'subscription_count' }))
      .json()).channels['presence-counted'].subscription_count === 2, 10000, 'the count follows a disconnect');
    [a, b].forEach((p) => p.disconnect());
  });

test('with subscription counts on, every subscriber on every node gets the count as it changes, and the webhook',
  BOUNDED, async () => {
    const counts = (channel) => {
      channel.counts = [];
      channel.bind('pusher:subscription_count', (d) => channel.counts.push(d.subscription_count));
      return channel;
    };
    const a = await pusherOn(0, 'ann');
    const b = await pusherOn(1, 'ben');
    const ca = counts(await subscribe(a, 'private-counted-live'));
    const cb = counts(await subscribe(b, 'private-counted-live'));
    await until(() => ca.subscriptionCount === 2 && cb.subscriptionCount === 2, 10000, 'both told 2');
    const c = await pusherOn(2, 'cat');
    const cc = counts(await subscribe(c, 'private-counted-live'));
    await until(() => [ca, cb, cc].every((ch) => ch.subscriptionCount === 3), 10000, 'all three told 3');
    c.disconnect();
    await until(() => [ca, cb].every((ch) => ch.subscriptionCount === 2), 10000, 'told 2 again after a leave');
    for (const ch of [ca, cb]) {
      assert.ok(ch.counts.includes(3), `told 3 while cat was in: ${ch.counts}`);
      assert.equal(ch.counts.at(-1), 2);
    }
    const told = () => hooks.events().filter((e) => e.name === 'subscription_count' && e.channel === 'private-counted-live')
      .map((e) => e.subscription_count);
    await until(() => told().includes(3) && told().at(-1) === 2, 10000, 'subscription_count webhooks');
    const p = counts(await subscribe(a, 'presence-no-count'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(p.counts, [], 'presence channels count their members instead');
    [a, b].forEach((x) => x.disconnect());
  });

test('20 rounds of two nodes emptying a channel at once: one channel_occupied and one channel_vacated each, alternating',
  BOUNDED, async () => {
    const a = await pusherOn(0, 'race-a');
    const b = await pusherOn(1, 'race-b');
    const race = () => hooks.events().filter((e) => e.channel === 'race-room' && e.name.startsWith('channel_'))
      .map((e) => e.name);
    const started = Date.now();
    for (let round = 1; round <= 20; round++) {
      const ca = a.subscribe('race-room');
      const cb = b.subscribe('race-room');
      await until(() => ca.subscribed && cb.subscribed, 10000, `round ${round}: both subscribed`);
      a.unsubscribe('race-room'); // both leave in the same event-loop turn, on two nodes
      b.unsubscribe('race-room');
      await until(() => race().filter((n) => n === 'channel_vacated').length >= round, 10000, `round ${round}: vacated`);
    }
    await new Promise((r) => setTimeout(r, 500)); // a second vacated would have come by now
    const names = race();
    assert.equal(names.filter((n) => n === 'channel_occupied').length, 20, `20 occupied: ${names}`);
    assert.equal(names.filter((n) => n === 'channel_vacated').length, 20, `20 vacated: ${names}`);
    names.forEach((n, i) => assert.equal(n, i % 2 === 0 ? 'channel_occupied' : 'channel_vacated',
      `alternating, in the order they arrived: ${names}`));
    console.log(`20 occupy/vacate rounds over two nodes in ${Date.now() - started} ms`);
    a.disconnect();
    b.disconnect();
  });

test('stats: pusher-js with disableStats false reports its timeline to the cluster and is answered', BOUNDED, async () => {
  const logs = [];
  const previous = Pusher.log;
  Pusher.log = (message) => logs.push(String(message));
  try {
    const port = cluster.nodes[2].port;
    const p = new Pusher(APP.key, { ...clientOptions(port, 'stats'), disableStats: false, statsHost: `127.0.0.1:${port}` });
    opened.push(p);
    await until(() => p.connection.state === 'connected', 15000, 'connected with stats on');
    await until(() => logs.some((l) => l.includes('timeline')) || p.timelineSender.timeline.isEmpty(), 5000,
      'the timeline sent');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(logs.filter((l) => /TimelineSender/i.test(l)), [], 'no TimelineSender error');
    p.disconnect();
  } finally {
    Pusher.log = previous;
  }
  // The browser build asks /timeline/v2/jsonp/{n} as a script that calls receiver n.
  const script = await fetch(`http://127.0.0.1:${cluster.port}/timeline/v2/jsonp/7?id=1&timeline=e30%3D`);
  assert.equal(script.status, 200);
  const called = [];
  new Function('Pusher', await script.text())({ ScriptReceivers: { 7: (error, result) => called.push({ error, result }) } });
  assert.deepEqual(called, [{ error: null, result: {} }]);
  assert.equal((await fetch(`http://127.0.0.1:${cluster.port}/timeline/v2/jsonp/x1`)).status, 404, 'receiver: a number');
});

for (const transport of ['xhr_streaming', 'xhr_polling']) {
  test(`HTTP fallback ${transport} through nginx: connects, joins presence, receives a broadcast, whispers to a WebSocket client`,
    BOUNDED, async () => {
      const user = `fb-${transport}`;
      const p = new Pusher(APP.key, {
        ...clientOptions(cluster.port, user), enabledTransports: [transport],
        httpHost: '127.0.0.1', httpPort: cluster.port,
      });
      opened.push(p);
      await until(() => p.connection.state === 'connected', 20000, `pusher-js on ${transport} connected`);
      assert.equal(p.connection.connection.transport.name, transport);
      const peer = await pusherOn(1, `fb-peer-${transport}`);
      const channel = `presence-fallback-${transport}`;
      const cp = await subscribe(peer, channel);
      const cx = await subscribe(p, channel);
      assert.deepEqual(Object.keys(cx.members.members).sort(), [`fb-peer-${transport}`, user].sort());
      await until(() => cp.members.count === 2, 10000, 'the WebSocket peer sees the HTTP client join');

      for (let i = 1; i <= 5; i++) {
        await server.trigger(channel, 'news', { n: i });
      }
      await until(() => named(cx, 'news').length === 5, 10000, 'broadcasts over HTTP');
      assert.deepEqual(named(cx, 'news').map((e) => e.data.n), [1, 2, 3, 4, 5], 'in order');
      assert.ok(cx.trigger('client-whisper', { from: 'http' }), 'client event sent');
      await until(() => named(cp, 'client-whisper').length === 1, 10000, 'whisper reaches the WebSocket client');
      assert.deepEqual(named(cp, 'client-whisper')[0].data, { from: 'http' });
      cp.trigger('client-whisper', { from: 'ws' });
      await until(() => named(cx, 'client-whisper').length === 1, 10000, 'and back');

      p.disconnect();
      await until(() => cp.members.count === 1, 15000, 'the HTTP client leaves when it disconnects');
      peer.disconnect();
    });
}

test('HTTP fallback in Chromium: a page on another origin connects over xhr_streaming and xhr_polling (CORS) through nginx',
  BOUNDED, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${auth.url}/page`);
      const pending = page.evaluate(async ({ key, port }) => {
        const results = {};
        for (const transport of ['xhr_streaming', 'xhr_polling']) {
          const p = new window.Pusher(key, {
            wsHost: '127.0.0.1', wsPort: port, httpHost: '127.0.0.1', httpPort: port, forceTLS: false,
            enabledTransports: [transport], cluster: 'local', disableStats: true,
          });
          const channel = p.subscribe(`browser-fallback-${transport}`);
          const news = new Promise((resolve) => channel.bind('news', resolve));
          await new Promise((resolve) => channel.bind('pusher:subscription_succeeded', resolve));
          results[transport] = { used: p.connection.connection.transport.name, news: await news };
          p.disconnect();
        }
        return results;
      }, { key: APP.key, port: cluster.port }).catch((e) => ({ error: String(e) }));
      // The page waits for each channel's news: sent until the page has it (a subscriber may not be in yet).
      let done = false;
      pending.finally(() => { done = true; });
      const deadline = Date.now() + 40000;
      while (!done && Date.now() < deadline) {
        for (const t of ['xhr_streaming', 'xhr_polling']) {
          await server.trigger(`browser-fallback-${t}`, 'news', { to: t });
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      const got = await pending;
      assert.ok(!got.error, got.error);
      assert.deepEqual(got, {
        xhr_streaming: { used: 'xhr_streaming', news: { to: 'xhr_streaming' } },
        xhr_polling: { used: 'xhr_polling', news: { to: 'xhr_polling' } },
      });
    } finally {
      await browser.close();
    }
  });

/** Signs {@code p} in and records its watchlist events as {@code +id} (online) and {@code -id} (offline). */
async function signinWatching(p) {
  p.watched = [];
  p.user.watchlist.bind('online', (e) => p.watched.push(...e.user_ids.map((id) => `+${id}`)));
  p.user.watchlist.bind('offline', (e) => p.watched.push(...e.user_ids.map((id) => `-${id}`)));
  p.signin();
  await until(() => p.user.user_data?.id !== undefined, 10000, 'signed in');
  return p;
}

test('watchlist: sign-in tells who is online, cluster-wide; offline once on the last close, online once on return',
  BOUNDED, async () => {
    const bob = await signinWatching(await pusherOn(1, 'wl-bob', '&watch=wl-ann'));
    await until(() => bob.watched.length === 1, 10000, 'bob told of ann');
    assert.deepEqual(bob.watched, ['-wl-ann'], 'ann is offline when bob signs in');

    const ann = await signinWatching(await pusherOn(0, 'wl-ann', '&watch=wl-bob,wl-carl'));
    await until(() => ann.watched.length === 2 && bob.watched.length === 2, 10000, 'initial state and ann online');
    assert.deepEqual(ann.watched.sort(), ['+wl-bob', '-wl-carl'], 'sign-in: bob online (node 2), carl offline');
    assert.deepEqual(bob.watched, ['-wl-ann', '+wl-ann'], 'ann came online on node 1: bob told once');

    // carl on two nodes: online once when the first signs in, offline once when the last closes.
    const carl1 = await signinWatching(await pusherOn(2, 'wl-carl'));
    await until(() => ann.watched.length === 3, 10000, 'carl online');
    const carl2 = await signinWatching(await pusherOn(1, 'wl-carl'));
    await new Promise((r) => setTimeout(r, 500));
    carl1.disconnect();
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(ann.watched.slice(2), ['+wl-carl'], 'a second connection and the first closing: no change');
    carl2.disconnect();
    await until(() => ann.watched.length === 4, 10000, 'carl offline');
    const carl3 = await signinWatching(await pusherOn(0, 'wl-carl'));
    await until(() => ann.watched.length === 5, 10000, 'carl back online');
    await new Promise((r) => setTimeout(r, 1500)); // a repeat or a recheck would have come by now
    assert.deepEqual(ann.watched.slice(2), ['+wl-carl', '-wl-carl', '+wl-carl'], 'each change told once');

    // Over Pusher's 100: the first 100 accepted, sign-in succeeds, pusher:error 4302 says so.
    const errors = [];
    const many = await pusherOn(2, 'wl-many', '&watchMany=150');
    many.connection.bind('error', (e) => errors.push(e?.data?.code));
    await signinWatching(many);
    await until(() => errors.includes(4302) && many.watched.length > 0, 10000, '4302 and the initial state');
    assert.equal(many.watched.length, 100, 'the first 100 ids are watched');
    assert.ok(many.watched.every((w) => w.startsWith('-nobody-')), 'all offline');
    assert.equal(many.user.user_data.id, 'wl-many', 'sign-in still succeeds');
    [ann, bob, carl3, many].forEach((p) => p.disconnect());
  });

test('presence heals after kill -9: one member_removed for a member who is gone, never a second member_added',
  { timeout: 90000 }, async () => {
    // A second watcher in Chromium: pusher-js's browser build on a page, through nginx. The node nginx
    // gives it is the one whose connections-opened counter moves; another node is the one killed.
    const opens = () => Promise.all(cluster.nodes.map(async (n) => {
      const text = await (await fetch(`http://127.0.0.1:${n.port}/metrics`)).text();
      return Number(/^chatcluster_connections_opened_total\S* (\S+)$/m.exec(text)[1]);
    }));
    const before = await opens();
    const browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${auth.url}/page`);
    await page.evaluate(({ key, port }) => {
      window.seen = [];
      const p = new window.Pusher(key, {
        wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'local',
        disableStats: true, channelAuthorization: { endpoint: '/auth?user=carla', transport: 'ajax' },
      });
      window.channel = p.subscribe('presence-heal');
      window.channel.bind('pusher:member_added', (m) => window.seen.push(`+${m.id}`));
      window.channel.bind('pusher:member_removed', (m) => window.seen.push(`-${m.id}`));
    }, { key: APP.key, port: cluster.port });
    const inBrowser = () => page.evaluate(() => ({ subscribed: window.channel.subscribed, seen: window.seen,
      members: Object.keys(window.channel.members.members).sort() }));
    await until(async () => (await inBrowser()).subscribed, 15000, 'the page subscribed through nginx');
    const after = await opens();
    const pageNode = after.findIndex((n, i) => n > before[i]);
    assert.ok(pageNode >= 0, `the page's node: connections opened ${before} -> ${after}`);
    try {
      await healsAfterKill(inBrowser, pageNode === 2 ? [0, 2, 1] : [0, 1, 2]);
    } finally {
      await browser.close();
    }
  });

/**
 * The kill -9 case, watched from Node (wendy) and from the page in Chromium (carla, not on the
 * victim): {@code [watcher's node, reconnect node, victim]}.
 */
async function healsAfterKill(inBrowser, [watcherNode, otherNode, victimNode]) {
  const watcher = await pusherOn(watcherNode, 'wendy', '&watch=gus,bea');
  await signinWatching(watcher);
  const cw = await subscribe(watcher, 'presence-heal');
  const seen = [];
  cw.bind('pusher:member_added', (m) => seen.push(`+${m.id}`));
  cw.bind('pusher:member_removed', (m) => seen.push(`-${m.id}`));
  const gus = await pusherOn(victimNode, 'gus'); // its node dies and it does not come back
  const bea = await pusherOn(victimNode, 'bea'); // its node dies and it reconnects on another node
  await subscribe(gus, 'presence-heal');
  await subscribe(bea, 'presence-heal');
  await subscribe(gus, 'private-gus-only');
  gus.signin();
  bea.signin();
  await until(() => ['+gus', '+bea'].every((w) => watcher.watched.includes(w)), 10000, 'gus and bea online'); // held by the dead node alone: vacated once it is taken for dead
  await until(() => cw.members.count === 4, 10000, 'gus and bea seen joining');
  assert.deepEqual(seen, ['+gus', '+bea']);
  const heal = (name) => hooks.events().filter((e) => e.name === name && e.channel === 'presence-heal')
    .map((e) => e.user_id);
  // Webhooks leave a node in batches (100 ms): wait for the joins' before the node dies with them.
  await until(() => ['gus', 'bea'].every((u) => heal('member_added').includes(u)), 10000, 'member_added webhooks');
  const gusOnly = (name) => hooks.events().filter((e) => e.name === name && e.channel === 'private-gus-only');
  await until(() => gusOnly('channel_occupied').length === 1, 10000, 'channel_occupied of private-gus-only');

  const victim = cluster.nodes[victimNode];
  const killedAt = Date.now();
  process.kill(victim.pid, 'SIGKILL');
  gus.disconnect(); // pinned to the dead node's port: stop its retries
  bea.disconnect();
  const bea2 = await pusherOn(otherNode, 'bea');
  await subscribe(bea2, 'presence-heal');
  bea2.signin();

  await until(() => seen.includes('-gus'), 20000, 'member_removed for gus after its node died');
  const removedAfter = Date.now() - killedAt;
  await new Promise((r) => setTimeout(r, 3000)); // a second removal or join would have arrived by now
  assert.deepEqual(seen.filter((e) => e.endsWith('gus')), ['+gus', '-gus'], 'gus removed exactly once');
  assert.deepEqual(watcher.watched.filter((e) => e.endsWith('gus')), ['-gus', '+gus', '-gus'],
    'watchlist: gus offline once when its node died');
  const beaWatched = watcher.watched.filter((e) => e.endsWith('bea')).slice(2);
  assert.ok(beaWatched.length === 0 || (beaWatched.length === 2 && beaWatched[0] === '-bea' && beaWatched[1] === '+bea'),
    `watchlist, bea back on another node: nothing, or offline then online; got ${JSON.stringify(beaWatched)}`);
  const beaEvents = seen.filter((e) => e.endsWith('bea')).slice(1);
  assert.ok(beaEvents.length === 0 || (beaEvents.length === 2 && beaEvents[0] === '-bea' && beaEvents[1] === '+bea'),
    `bea reconnected elsewhere: nothing, or one leave then one join; got ${JSON.stringify(beaEvents)}`);
  assert.deepEqual(Object.keys(cw.members.members).sort(), ['bea', 'carla', 'wendy']);
  const page = await inBrowser();
  assert.deepEqual(page.seen.filter((e) => e.endsWith('gus')), ['+gus', '-gus'], 'in Chromium: gus removed once');
  const beaInPage = page.seen.filter((e) => e.endsWith('bea')).slice(1);
  assert.ok(beaInPage.length === 0 || (beaInPage.length === 2 && beaInPage[0] === '-bea' && beaInPage[1] === '+bea'),
    `in Chromium, bea: nothing, or one leave then one join; got ${JSON.stringify(beaInPage)}`);
  assert.deepEqual(page.members, ['bea', 'carla', 'wendy']);

  await until(() => heal('member_removed').includes('gus'), 10000, 'member_removed webhook for gus');
  await until(() => gusOnly('channel_vacated').length >= 1, 10000, 'channel_vacated of the dead node\'s channel');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(heal('member_removed').filter((u) => u === 'gus'), ['gus'], 'one member_removed webhook for gus');
  assert.equal(gusOnly('channel_vacated').length, 1, 'the dead node\'s own channel vacated exactly once');
  assert.equal(heal('channel_vacated').length, 0, 'presence-heal is still held by the other nodes');
  const beaHooks = hooks.events().filter((e) => e.channel === 'presence-heal' && e.user_id === 'bea')
    .map((e) => e.name);
  assert.deepEqual(beaHooks.filter((n) => n === 'member_added').length - beaHooks.filter((n) => n === 'member_removed').length,
    1, `bea's webhooks pair up: ${JSON.stringify(beaHooks)}`);
  console.log(`presence healed ${removedAfter} ms after kill -9; bea's events at the watcher: ${JSON.stringify(beaEvents)}`);
  [watcher, bea2].forEach((p) => p.disconnect());
}
