import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeSelector, nodeUrl } from '../../src/nodes.js';

test('node descriptions become WebSocket URLs', () => {
  assert.equal(nodeUrl('ws://127.0.0.1:8081/ws'), 'ws://127.0.0.1:8081/ws');
  assert.equal(nodeUrl('http://lb.example:8080'), 'ws://lb.example:8080/ws');
  assert.equal(nodeUrl('https://lb.example/wss'), 'wss://lb.example/wss');
  assert.equal(nodeUrl({ host: '127.0.0.1', port: 8082 }), 'ws://127.0.0.1:8082/ws');
  assert.equal(nodeUrl({ host: 'chat.example', secure: true, path: 'wss' }), 'wss://chat.example/wss');
  assert.equal(nodeUrl({ host: '::1', port: 9 }), 'ws://[::1]:9/ws');
  assert.throws(() => nodeUrl('ftp://x'), /not a WebSocket URL/);
  assert.throws(() => nodeUrl(42), /URL string/);
});

const three = ['ws://a/ws', 'ws://b/ws', 'ws://c/ws'];

test('ordered takes the first node that has not failed', () => {
  let now = 0;
  const s = new NodeSelector(three, { strategy: 'ordered', failedNodeTimeout: 1000, now: () => now });
  assert.equal(s.next(), 'ws://a/ws');
  s.markFailed('ws://a/ws');
  assert.equal(s.next(), 'ws://b/ws');
  now = 999;
  assert.equal(s.next(), 'ws://b/ws');
  now = 1000;
  assert.equal(s.next(), 'ws://a/ws', 'a failed node is skipped for failedNodeTimeout only');
});

test('round-robin cycles and skips failed nodes', () => {
  const s = new NodeSelector(three, { strategy: 'round-robin', random: () => 0 });
  assert.deepEqual([s.next(), s.next(), s.next(), s.next()], ['ws://a/ws', 'ws://b/ws', 'ws://c/ws', 'ws://a/ws']);
  s.markFailed('ws://b/ws');
  assert.deepEqual([s.next(), s.next(), s.next()], ['ws://c/ws', 'ws://a/ws', 'ws://c/ws']);
});

test('random never picks a failed node while another is healthy', () => {
  const s = new NodeSelector(three, { strategy: 'random' });
  s.markFailed('ws://a/ws');
  const picked = new Set();
  for (let i = 0; i < 200; i++) {
    picked.add(s.next());
  }
  assert.deepEqual([...picked].sort(), ['ws://b/ws', 'ws://c/ws']);
});

test('when every node failed the one that failed longest ago is tried', () => {
  let now = 0;
  const s = new NodeSelector(three, { strategy: 'ordered', now: () => now });
  for (const url of ['ws://b/ws', 'ws://c/ws', 'ws://a/ws']) {
    s.markFailed(url);
    now += 10;
  }
  assert.equal(s.next(), 'ws://b/ws');
  s.markHealthy('ws://c/ws');
  assert.equal(s.next(), 'ws://c/ws');
});

test('a single URL (a load balancer) is never skipped', () => {
  const s = new NodeSelector('ws://lb/ws');
  s.markFailed('ws://lb/ws');
  assert.equal(s.next(), 'ws://lb/ws');
});

test('an unknown strategy or an empty list is refused', () => {
  assert.throws(() => new NodeSelector(three, { strategy: 'fastest' }), /strategy/);
  assert.throws(() => new NodeSelector([]), /at least one/);
});
