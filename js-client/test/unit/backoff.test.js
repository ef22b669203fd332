import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backoffDelay, reconnectOptions } from '../../src/backoff.js';

const options = reconnectOptions({ initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 1 });

test('the delay cap doubles per attempt up to maxDelay', () => {
  const noJitter = reconnectOptions({ ...options, jitter: 0 });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, noJitter)), [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('full jitter draws from zero to the cap', () => {
  assert.equal(backoffDelay(3, options, () => 0), 800);
  assert.equal(backoffDelay(3, options, () => 0.999999), 0);
  assert.equal(backoffDelay(3, options, () => 0.5), 400);
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelay(i % 8, options);
    assert.ok(d >= 0 && d <= Math.min(1000, 100 * 2 ** (i % 8)), `delay ${d} of attempt ${i % 8}`);
  }
});

test('partial jitter keeps the delay in the upper part of the cap', () => {
  const half = reconnectOptions({ ...options, jitter: 0.5 });
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(2, half);
    assert.ok(d >= 200 && d <= 400, `delay ${d}`);
  }
});

test('Backoff counts attempts, resets, and is exhausted after maxAttempts', () => {
  const b = new Backoff(reconnectOptions({ ...options, jitter: 0, maxAttempts: 3 }));
  assert.deepEqual([b.next(), b.next()], [100, 200]);
  assert.equal(b.attempt, 2);
  b.reset();
  assert.equal(b.next(), 100);
  b.next();
  b.next();
  assert.ok(b.exhausted);
});

test('reconnect options are checked', () => {
  assert.throws(() => reconnectOptions({ jitter: 2 }), /jitter/);
  assert.throws(() => reconnectOptions({ initialDelay: -1 }), /initialDelay/);
  assert.throws(() => reconnectOptions({ maxAttempts: 0 }), /maxAttempts/);
  assert.equal(reconnectOptions().maxDelay, 15000);
});
