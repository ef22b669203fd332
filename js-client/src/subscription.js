/**
 * One channel the application subscribed to: its position in the channel's stream (epoch and the
 * offset of the last message delivered), which makes a resubscribe after a reconnect ask for exactly
 * what was missed, and drops anything delivered twice.
 */
export class Subscription {
  /** @type {string} */
  channel;
  /** @type {string | null} the channel's epoch as last seen */
  epoch = null;
  /** @type {number | null} the offset of the last message delivered (or of the subscribe ack) */
  offset = null;
  /** @type {boolean} subscribed on the current connection */
  active = false;
  /** Promises of `subscribeToChannel` calls waiting for the first ack. */
  #waiters = [];

  /**
   * @param {string} channel
   * @param {{offset: number, epoch?: string}} [since] a position to start from
   */
  constructor(channel, since) {
    this.channel = channel;
    if (since) {
      this.offset = since.offset;
      this.epoch = since.epoch ?? null;
    }
  }

  /** The `since` of the next subscribe: the position reached, or nothing on a first subscribe. */
  since() {
    return this.offset === null ? undefined : { offset: this.offset, epoch: this.epoch ?? undefined };
  }

  /**
   * Applies a subscribe ack `{channel, offset, epoch, recovered}`. In the same epoch the position
   * stays where delivery reached, so recovered messages (which follow the ack) are taken; in a new
   * epoch, or on a first subscribe, the ack's position is where the stream starts for this client.
   * @returns {boolean} whether the subscribe continued from a known position without a gap
   */
  subscribed(result) {
    const sameEpoch = this.offset !== null && (this.epoch === null || this.epoch === result.epoch);
    if (!sameEpoch) {
      this.offset = result.offset;
    }
    this.epoch = result.epoch;
    this.active = true;
    return sameEpoch && result.recovered === true;
  }

  /**
   * Whether a `message` frame is new. Messages without an offset (delivered by one node while the
   * cluster path was down) are always new; others must be past the position, which they advance.
   */
  accept(message) {
    if (typeof message.offset !== 'number') {
      return true;
    }
    if (this.offset !== null && message.offset <= this.offset) {
      return false;
    }
    this.offset = message.offset;
    return true;
  }

  /** A `reset` push: the node lost this client's position; continue from the one it gives. */
  reset(frame) {
    this.epoch = frame.epoch ?? null;
    this.offset = typeof frame.offset === 'number' ? frame.offset : null;
  }

  /** A promise for the next successful ack. */
  waitForAck() {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Settles every waiting `subscribeToChannel` call. */
  settle(error, result) {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (error) {
        w.reject(error);
      } else {
        w.resolve(result);
      }
    }
  }
}
