/**
 * A minimal event emitter that works alike in browsers and Node. A handler that throws does not stop
 * the others; its error is emitted as `error` (or reported on the console when it is an error handler).
 */
export class Emitter {
  #handlers = new Map();

  /**
   * Registers a handler for an event.
   * @param {string} event
   * @param {(payload: any) => void} handler
   * @returns {this}
   */
  on(event, handler) {
    if (typeof handler !== 'function') {
      throw new TypeError('handler must be a function');
    }
    if (!this.#handlers.has(event)) {
      this.#handlers.set(event, new Set());
    }
    this.#handlers.get(event).add(handler);
    return this;
  }

  /**
   * Removes one handler, or every handler of the event when none is given.
   * @param {string} event
   * @param {(payload: any) => void} [handler]
   * @returns {this}
   */
  off(event, handler) {
    if (handler === undefined) {
      this.#handlers.delete(event);
    } else {
      this.#handlers.get(event)?.delete(handler);
    }
    return this;
  }

  /**
   * Calls the event's handlers with the payload.
   * @param {string} event
   * @param {any} payload
   * @returns {boolean} whether any handler was registered
   */
  emit(event, payload) {
    const handlers = this.#handlers.get(event);
    if (!handlers || handlers.size === 0) {
      return false;
    }
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (e) {
        if (event === 'error') {
          console.error('chatcluster: error handler threw', e);
        } else {
          this.emit('error', e);
        }
      }
    }
    return true;
  }

  /** Whether the event has a handler. */
  has(event) {
    return (this.#handlers.get(event)?.size ?? 0) > 0;
  }

  /**
   * Calls the event's handlers and waits for what they return (promises among them); rejects when
   * one throws or rejects.
   * @param {string} event
   * @param {any} payload
   * @returns {Promise<void>}
   */
  async emitAndWait(event, payload) {
    const handlers = [...(this.#handlers.get(event) ?? [])];
    await Promise.all(handlers.map(async (handler) => handler(payload)));
  }
}
