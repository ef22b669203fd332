/**
 * Reconnect delays: exponential backoff with full jitter and a cap, as in AWS's "Exponential
 * Backoff and Jitter". The n-th delay (n from 0) is drawn from [cap * (1 - jitter), cap] with
 * cap = min(maxDelay, initialDelay * factor^n); jitter 1 (the default) is full jitter: [0, cap].
 * @module backoff
 */

/** Defaults of the `reconnect` option, in milliseconds. */
export const DEFAULT_RECONNECT = Object.freeze({
  initialDelay: 500,
  maxDelay: 15000,
  factor: 2,
  jitter: 1,
  /** A connection that stays up this long resets the backoff. */
  stableAfter: 10000,
  /** Attempts in a row before the client gives up (Infinity: never). */
  maxAttempts: Infinity,
});

/**
 * Merges a user's `reconnect` option over the defaults and checks it.
 * @param {object} [options]
 * @returns {typeof DEFAULT_RECONNECT}
 */
export function reconnectOptions(options = {}) {
  const merged = { ...DEFAULT_RECONNECT, ...options };
  for (const key of ['initialDelay', 'maxDelay', 'factor', 'stableAfter']) {
    if (!(typeof merged[key] === 'number' && merged[key] >= 0)) {
      throw new TypeError(`reconnect.${key} must be a number >= 0`);
    }
  }
  if (!(merged.jitter >= 0 && merged.jitter <= 1)) {
    throw new TypeError('reconnect.jitter must be between 0 and 1');
  }
  if (!(merged.maxAttempts >= 1)) {
    throw new TypeError('reconnect.maxAttempts must be at least 1');
  }
  return Object.freeze(merged);
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first).
 * @param {number} attempt
 * @param {typeof DEFAULT_RECONNECT} options
 * @param {() => number} [random] a source in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, options, random = Math.random) {
  const cap = Math.min(options.maxDelay, options.initialDelay * options.factor ** attempt);
  return Math.round(cap * (1 - options.jitter * random()));
}

/** Counts attempts in a row and hands out their delays. */
export class Backoff {
  #options;
  #random;
  #attempt = 0;

  /**
   * @param {typeof DEFAULT_RECONNECT} options
   * @param {() => number} [random]
   */
  constructor(options, random = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Attempts made since the last reset. */
  get attempt() {
    return this.#attempt;
  }

  /** Whether another attempt is allowed. */
  get exhausted() {
    return this.#attempt >= this.#options.maxAttempts;
  }

  /** The next delay; counts one attempt. */
  next() {
    return backoffDelay(this.#attempt++, this.#options, this.#random);
  }

  /** Back to the first delay, after a stable connection. */
  reset() {
    this.#attempt = 0;
  }
}
