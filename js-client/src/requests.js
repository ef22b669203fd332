/**
 * Commands waiting for their answer: each gets an id, a deadline, and exactly one settlement (its
 * ack, its error, the deadline, or the connection's end). Commands made while the client is
 * reconnecting wait in a bounded queue and are sent, in order, once a connection is up; their
 * deadline runs from the call, so none waits longer than its timeout.
 */
import { ChatClusterError } from './errors.js';
import { ClientErrorCode } from './codes.js';

export class Requests {
  #nextId = 1;
  /** id -> {frame, timer, sent, settle} */
  #entries = new Map();
  /** ids waiting for a connection, in call order */
  #queue = [];
  #maxQueued;

  /** @param {number} maxQueued commands that may wait for a connection (0: none) */
  constructor(maxQueued) {
    this.#maxQueued = maxQueued;
  }

  /** Commands waiting for a connection. */
  get queued() {
    return this.#queue.length;
  }

  /**
   * Tracks a command. `settle(error, result)` is called synchronously when its answer is handled, so
   * what it does takes effect before the next frame of the connection is handled.
   * @param {object} frame the command without id
   * @param {number} timeout milliseconds
   * @param {(error: ChatClusterError | null, result?: any) => void} settle
   * @returns {number} the id
   */
  add(frame, timeout, settle, { resend = false } = {}) {
    const id = this.#nextId++;
    const timer = setTimeout(() => this.fail(id, new ChatClusterError(ClientErrorCode.TIMEOUT,
      `no answer to ${frame.type} within ${timeout} ms`, { frame })), timeout);
    this.#entries.set(id, { frame: { ...frame, id }, timer, sent: false, settle, resend });
    return id;
  }

  /** The frame of a tracked command, marked as sent. */
  send(id) {
    const entry = this.#entries.get(id);
    entry.sent = true;
    return entry.frame;
  }

  /** Queues a command until a connection is up; false when the queue is full. */
  enqueue(id) {
    if (this.#queue.length >= this.#maxQueued) {
      return false;
    }
    this.#queue.push(id);
    return true;
  }

  /** The queued commands' frames, in call order, marked as sent. */
  drain() {
    const ids = this.#queue;
    this.#queue = [];
    return ids.filter((id) => this.#entries.has(id)).map((id) => this.send(id));
  }

  /**
   * Settles the command an `ack` or `error` frame answers.
   * @returns {boolean} whether the frame answered a tracked command
   */
  answer(frame, toError) {
    const entry = this.#take(frame.id);
    if (!entry) {
      return false;
    }
    if (frame.type === 'error') {
      entry.settle(toError(frame));
    } else {
      entry.settle(null, frame.result ?? {});
    }
    return true;
  }

  /** Settles one command with an error. */
  fail(id, error) {
    this.#take(id)?.settle(error);
  }

  /**
   * Fails the commands that were sent and not answered: the connection they went on is gone. Those
   * safe to send again (a publish with a key: the node keeps one of two) wait for the next
   * connection instead, ahead of what was queued, in call order, within their deadline; they were
   * held already, so they do not count against the queue's bound.
   */
  failSent(error) {
    const again = [];
    for (const [id, entry] of [...this.#entries]) {
      if (entry.sent && entry.resend) { // already held (until its deadline): not counted against the queue's bound
        entry.sent = false;
        again.push(id);
      } else if (entry.sent) {
        this.fail(id, error);
      }
    }
    this.#queue = [...again, ...this.#queue];
  }

  /** Fails every command, sent or queued. */
  failAll(error) {
    this.#queue = [];
    for (const id of [...this.#entries.keys()]) {
      this.fail(id, error);
    }
  }

  #take(id) {
    const entry = this.#entries.get(id);
    if (!entry) {
      return null;
    }
    clearTimeout(entry.timer);
    this.#entries.delete(id);
    const queued = this.#queue.indexOf(id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
    }
    return entry;
  }
}
