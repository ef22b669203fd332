import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscription } from '../../src/subscription.js';

const msg = (offset) => ({ type: 'message', channel: 'c', offset, data: offset });

test('a first subscribe starts at the ack and drops what it already covers', () => {
  const s = new Subscription('c');
  assert.equal(s.since(), undefined);
  assert.equal(s.subscribed({ offset: 5, epoch: 'e1', recovered: false }), false);
  assert.deepEqual([4, 5, 6, 6, 7].map((o) => s.accept(msg(o))), [false, false, true, false, true]);
  assert.deepEqual(s.since(), { offset: 7, epoch: 'e1' });
});

test('a resubscribe in the same epoch keeps the position so that recovered messages are taken', () => {
  const s = new Subscription('c');
  s.subscribed({ offset: 5, epoch: 'e1', recovered: false });
  s.accept(msg(6));
  assert.equal(s.subscribed({ offset: 9, epoch: 'e1', recovered: true }), true);
  assert.deepEqual([6, 7, 8, 9, 10].map((o) => s.accept(msg(o))), [false, true, true, true, true]);
});

test('a resubscribe in a new epoch is not recovered and starts at the new position', () => {
  const s = new Subscription('c', { offset: 100, epoch: 'old' });
  assert.equal(s.subscribed({ offset: 3, epoch: 'new', recovered: false }), false);
  assert.equal(s.accept(msg(3)), false);
  assert.equal(s.accept(msg(4)), true);
});

test('messages without an offset always pass', () => {
  const s = new Subscription('c');
  s.subscribed({ offset: 5, epoch: 'e', recovered: false });
  assert.equal(s.accept(msg(null)), true);
  assert.equal(s.offset, 5);
});

test('a reset moves the position to the one the node gives', () => {
  const s = new Subscription('c');
  s.subscribed({ offset: 50, epoch: 'e1', recovered: false });
  s.reset({ epoch: 'e2', offset: 0 });
  assert.deepEqual(s.since(), { offset: 0, epoch: 'e2' });
  assert.equal(s.accept(msg(1)), true);
});

test('waiters settle once', async () => {
  const s = new Subscription('c');
  const a = s.waitForAck();
  s.settle(null, { channel: 'c' });
  assert.deepEqual(await a, { channel: 'c' });
  const b = s.waitForAck();
  s.settle(new Error('no'));
  await assert.rejects(b, /no/);
});
