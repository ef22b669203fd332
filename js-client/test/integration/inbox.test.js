/**
 * Messages to people with ChatClusterClient against a real local cluster (launcher: redis-server,
 * three nodes, nginx) with the inbox on: a recipient whose node is killed mid-stream sees every
 * direct message once, in per-sender order; a publisher on that node leaves each of its publishes
 * exactly once in history (its in-flight ones are sent again with their keys).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ChatClusterClient } from '../../src/ChatClusterClient.js';
import { randomId, startCluster, until } from '../support/cluster.js';

const TOKEN = 'js-inbox-token-0123456789abcdef';
const PER_SENDER = 500;
let cluster;
const clients = [];

function client(nodes, user, options = {}) {
  const c = new ChatClusterClient(nodes, user, {
    WebSocket, token: TOKEN, requestTimeout: 20000, reconnect: { initialDelay: 200, maxDelay: 2000 }, ...options,
  });
  c.on('error', (e) => console.log(`${user}: ${e.code} ${e.message}`));
  clients.push(c);
  return c;
}

before(async () => {
  cluster = await startCluster({
    env: {
      INBOX_ENABLED: 'true', WEBSOCKET_AUTH_TOKEN: TOKEN, WEBSOCKET_AUTH_CLAIMED_IDENTITY: 'true',
      WEBSOCKET_RATE_LIMIT: '2000',
    },
  });
});

after(async () => {
  clients.forEach((c) => c.disconnect());
  await cluster?.stop();
});

test(`kill -9 of the recipient's node while ${2 * PER_SENDER} direct messages stream to it: each once, in per-sender order`,
  { timeout: 120000 }, async () => {
    const victim = cluster.nodes[0];
    const others = cluster.nodes.slice(1);
    const rita = `rita-${randomId()}`;
    // Pinned to the victim first; afterwards it goes to the others (ordered strategy).
    const recipient = client([victim.url, ...others.map((n) => n.url)], rita, { device: 'rita-phone', strategy: 'ordered' });
    const seen = [];
    let handling = 0;
    recipient.on('direct', async (m) => {
      handling++;
      await new Promise((r) => setTimeout(r, m.offset % 7 === 0 ? 2 : 0)); // an app that takes its time now and then
      seen.push(`${m.data.s}:${m.data.i}`);
      handling--;
    });
    const welcome = await recipient.connect();
    assert.equal(welcome.node, victim.id);

    // A publisher on the victim too: what it had in flight is sent again, with its keys, elsewhere.
    const channel = `hist-inbox-${randomId()}`;
    const publisher = client([victim.url, ...others.map((n) => n.url)], `pub-${randomId()}`, { strategy: 'ordered' });
    await publisher.connect();
    await publisher.subscribeToChannel(channel);

    const senders = others.map((n, s) => client(n.url, `sender-${s}-${randomId()}`));
    await Promise.all(senders.map((c) => c.connect()));
    const sends = [];
    const publishes = [];
    let killedAt = 0;
    for (let i = 0; i < PER_SENDER; i++) {
      senders.forEach((c, s) => sends.push(c.sendDirect(rita, { s, i }).catch((e) => e)));
      if (i < 200) {
        publishes.push(publisher.sendMessage(channel, i).catch((e) => e));
      }
      if (i === 150) {
        killedAt = performance.now();
        process.kill(victim.pid, 'SIGKILL');
      }
      if (i % 25 === 24) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const answers = await Promise.all(sends);
    assert.deepEqual(answers.filter((a) => a instanceof Error).map((e) => e.message), [], 'every send stored');
    assert.ok(answers.every((a) => a.stored === true));
    await until(() => seen.length >= 2 * PER_SENDER && handling === 0, 40000,
      `${2 * PER_SENDER} messages (have ${seen.length})`);
    await new Promise((r) => setTimeout(r, 500)); // a repeat would show up now
    const reconnectedTo = recipient.connection?.node;
    console.log(`inbox: kill -9 of ${victim.id}, recipient back on ${reconnectedTo}; the app saw ${seen.length} `
      + `messages, ${seen.length - new Set(seen).size} repeats, in ${Math.round(performance.now() - killedAt)} ms after the kill`);
    assert.notEqual(reconnectedTo, victim.id);
    assert.equal(new Set(seen).size, seen.length, 'the app saw no message twice');
    assert.equal(seen.length, 2 * PER_SENDER, 'the app saw every message');
    for (let s = 0; s < senders.length; s++) {
      const order = seen.filter((x) => x.startsWith(`${s}:`)).map((x) => Number(x.split(':')[1]));
      assert.deepEqual(order, [...Array(PER_SENDER).keys()], `sender ${s}'s messages in its order`);
    }

    const published = await Promise.all(publishes);
    const failed = published.filter((p) => p instanceof Error);
    const history = await senders[0].history(channel, { limit: 1000 }).catch(async () => {
      await senders[0].subscribeToChannel(channel);
      return senders[0].history(channel, { limit: 1000 });
    });
    const kept = history.messages.map((m) => m.data);
    console.log(`retry-safe publishes: ${published.length - failed.length} acked, ${failed.length} failed (${[...new Set(failed.map((e) => e.code))]}), `
      + `${kept.length} in history`);
    assert.equal(new Set(kept).size, kept.length, 'no publish doubled by its resend');
    const acked = published.map((p, i) => (p instanceof Error ? null : i)).filter((i) => i !== null);
    assert.ok(acked.every((i) => kept.includes(i)), 'every acked publish is in history');
    assert.deepEqual(kept, [...kept].sort((a, b) => a - b), 'in the order they were sent');
    const refused = published.map((p, i) => (p instanceof Error && p.code === 'queue_full' ? i : null))
      .filter((i) => i !== null);
    assert.ok(refused.every((i) => !kept.includes(i)), 'a publish refused at the client (queue_full) was never sent');
    assert.deepEqual(failed.filter((e) => e.code !== 'queue_full').map((e) => e.code), [],
      'in-flight publishes were sent again, not failed');
  });
