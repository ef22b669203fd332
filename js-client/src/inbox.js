/**
 * A device's inboxes on the client side (PROTOCOL.md, "Messages to people"): what the app has
 * handled of its user's inbox and its device's, so that a message delivered again after a reconnect
 * (at least once, by offset) reaches the app once. A message is acknowledged after the app's
 * handlers returned, or their promises resolved.
 * @module inbox
 */

const KINDS = ['user', 'device'];

/** Positions kept in memory: what a device has when no store is given and there is no localStorage. */
const memory = new Map();

/**
 * The default store: the browser's localStorage when there is one, else memory (per process).
 * @returns {{load(key: string): object | null, save(key: string, positions: object): void}}
 */
export function defaultInboxStore() {
  const storage = globalThis.localStorage;
  if (storage) {
    return {
      load: (key) => {
        try {
          return JSON.parse(storage.getItem(key) ?? 'null');
        } catch {
          return null;
        }
      },
      save: (key, positions) => storage.setItem(key, JSON.stringify(positions)),
    };
  }
  return { load: (key) => memory.get(key) ?? null, save: (key, positions) => memory.set(key, positions) };
}

export class Inboxes {
  #store;
  #key = null;
  /** kind -> {epoch, offset}: handled (and acknowledged or about to be) */
  #handled = {};
  /** kind -> highest offset given to the app's handlers (handled or in hand) */
  #seen = {};
  /** kind -> the chain of handlers, one message after another */
  #chains = {};
  /** kind -> whether a handler failed on this connection: the rest comes again on the next one */
  #stalled = {};
  #pendingAck = {};
  #ackTimer = null;

  /**
   * @param {{load(key: string): object | null, save(key: string, positions: object): void}} store
   * @param {(kind: string, offset: number) => void} sendAck sends an inbox_ack when connected
   * @param {(event: string, frame: object) => Promise<void>} deliver runs the app's handlers
   * @param {(error: Error) => void} onError
   * @param {() => void} onStall a handler failed: the inbox must be read again from the node
   */
  constructor(store, sendAck, deliver, onError, onStall = () => {}) {
    this.#store = store;
    this.sendAck = sendAck;
    this.deliver = deliver;
    this.onError = onError;
    this.onStall = onStall;
  }

  /** A connection is welcomed as {@code user} on {@code device}: its positions are loaded. */
  welcomed(user, device) {
    const key = `chatcluster.inbox:${user}:${device}`;
    if (key !== this.#key) {
      this.#key = key;
      this.#handled = this.#store.load(key) ?? {};
      this.#seen = {};
      for (const kind of KINDS) {
        this.#seen[kind] = this.#handled[kind]?.offset ?? 0;
      }
    }
    for (const kind of KINDS) {
      this.#stalled[kind] = false;
    }
  }

  /** The node's {@code inbox} frame: where the device is in that inbox, as the node knows it. */
  opened(frame) {
    const kind = frame.inbox;
    const mine = this.#handled[kind];
    if (!mine || mine.epoch !== frame.epoch) {
      // Another epoch (the inbox restarted) or nothing saved: the node's position is the truth.
      this.#handled[kind] = { epoch: frame.epoch, offset: frame.acked };
      this.#seen[kind] = frame.acked;
      this.#save();
      return;
    }
    this.#seen[kind] = Math.max(this.#seen[kind] ?? 0, mine.offset);
    if (mine.offset > frame.acked) {
      this.#ack(kind, Math.min(mine.offset, frame.offset)); // handled, but the ack was lost with a connection
    }
  }

  /**
   * A frame from an inbox ({@code direct} or {@code receipt} with {@code inbox}): given to the app's
   * handlers unless it is a repeat. Returns whether it was.
   */
  accept(event, frame) {
    const kind = frame.inbox;
    const offset = frame.inboxOffset ?? frame.offset;
    if (!KINDS.includes(kind) || typeof offset !== 'number') {
      return false;
    }
    if (this.#stalled[kind] || offset <= (this.#seen[kind] ?? 0)) {
      return false;
    }
    this.#seen[kind] = offset;
    const epoch = this.#handled[kind]?.epoch;
    const previous = this.#chains[kind] ?? Promise.resolve();
    this.#chains[kind] = previous.then(() => (this.#stalled[kind] ? undefined : this.deliver(event, frame).then(() => {
      if (this.#handled[kind]?.epoch === epoch && offset > (this.#handled[kind]?.offset ?? 0)) {
        this.#handled[kind] = { epoch, offset };
        this.#save();
        this.#ack(kind, offset);
      }
    }, (error) => {
      // Not acknowledged: it and what follows come again on the next connection.
      this.#stalled[kind] = true;
      this.#seen[kind] = this.#handled[kind]?.offset ?? 0;
      this.onError(error);
      this.onStall();
    })));
    return true;
  }

  /** The node says messages {@code from..to} are gone: nothing to wait for below {@code to}. */
  gap(frame) {
    if (KINDS.includes(frame.inbox)) {
      this.#seen[frame.inbox] = Math.max(this.#seen[frame.inbox] ?? 0, frame.to);
    }
  }

  /** Where the app is: {user: {epoch, offset}, device: {epoch, offset}}. */
  get positions() {
    return JSON.parse(JSON.stringify(this.#handled));
  }

  #save() {
    if (this.#key) {
      try {
        this.#store.save(this.#key, this.#handled);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  /** Acknowledgements of one turn go as one frame per inbox: the highest offset. */
  #ack(kind, offset) {
    this.#pendingAck[kind] = Math.max(this.#pendingAck[kind] ?? 0, offset);
    if (this.#ackTimer === null) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = null;
        const due = this.#pendingAck;
        this.#pendingAck = {};
        for (const [k, o] of Object.entries(due)) {
          this.sendAck(k, o);
        }
      }, 0);
    }
  }
}
