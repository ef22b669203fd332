/**
 * A scripted stand-in for a node's side of WebSocket connections, for unit tests of the client's
 * state changes: the test accepts, answers, pushes and closes, and reads what the client sent.
 */
export class FakeNodes {
  /** Every socket the client opened, in order. */
  sockets = [];
  #waiting = [];

  /** The WebSocket constructor to hand to the client as `options.WebSocket`. */
  get WebSocket() {
    const nodes = this;
    return class FakeWebSocket {
      readyState = 0;
      onopen = null;
      onmessage = null;
      onclose = null;
      onerror = null;

      constructor(url, protocols) {
        this.url = url;
        this.protocols = protocols;
        this.sent = [];
        this.closedByClient = null;
        nodes.#opened(this);
      }

      send(text) {
        if (this.readyState !== 1) {
          throw new Error('not open');
        }
        this.sent.push(JSON.parse(text));
        this.onFrameSent?.(this.sent.at(-1));
      }

      close(code, reason) {
        this.closedByClient = { code, reason };
        this.readyState = 3;
      }

      // ---- the node's side

      /** Accepts the upgrade and sends a welcome. */
      welcome(node = 'node-1', heartbeat = 30) {
        this.readyState = 1;
        this.onopen?.({});
        this.push({ type: 'welcome', version: 1, session: `s-${nodes.sockets.length}`, node, user: 'u', device: 'd', heartbeat });
      }

      push(frame) {
        this.onmessage?.({ data: JSON.stringify(frame) });
      }

      /** Answers the last command of this type the client sent with an ack. */
      ack(type, result) {
        const cmd = this.last(type);
        this.push({ type: 'ack', id: cmd.id, result });
        return cmd;
      }

      error(type, code, message = code) {
        const cmd = this.last(type);
        this.push({ type: 'error', id: cmd.id, code, message });
        return cmd;
      }

      last(type) {
        const found = this.sent.filter((f) => f.type === type).at(-1);
        if (!found) {
          throw new Error(`client sent no ${type}; sent: ${JSON.stringify(this.sent)}`);
        }
        return found;
      }

      /** The node closes (or the link drops, code 1006). */
      drop(code = 1006, reason = '') {
        this.readyState = 3;
        this.onclose?.({ code, reason });
      }
    };
  }

  #opened(socket) {
    this.sockets.push(socket);
    const waiter = this.#waiting.shift();
    waiter?.(socket);
  }

  /** The next socket the client opens (or the one it opened already and nobody took yet). */
  next(timeoutMs = 2000) {
    const taken = this.taken ?? 0;
    if (this.sockets.length > taken) {
      this.taken = taken + 1;
      return Promise.resolve(this.sockets[taken]);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client opened no socket within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.push((s) => {
        clearTimeout(timer);
        this.taken = (this.taken ?? 0) + 1;
        resolve(s);
      });
    });
  }
}

/** Resolves on the next emission of an event. */
export function once(emitter, event, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const handler = (payload) => {
      clearTimeout(timer);
      emitter.off(event, handler);
      resolve(payload);
    };
    emitter.on(event, handler);
  });
}
