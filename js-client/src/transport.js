/**
 * One WebSocket connection to one node, over the platform's WebSocket (browsers, Node 22+) or an
 * implementation passed in (e.g. the `ws` package on Node 18 and 20). It reports text frames and
 * exactly one close; `abort` ends a link that went silent without waiting for a closing handshake.
 * @module transport
 */

/** The contract's sub-protocol: offered beside the token (PROTOCOL.md section 1, way 1). */
export const SUBPROTOCOL = 'chatcluster.v1';

/**
 * The server frames one WebSocket message carries: one, or, from a node that batches (`?batch=1`,
 * sub-protocol `chatcluster.v2`), several separated by newlines. JSON text never holds a raw newline.
 * @param {string} text
 * @returns {string[]}
 */
export function splitFrames(text) {
  return text.indexOf('\n') < 0 ? [text] : text.split('\n');
}

/** Characters a Sec-WebSocket-Protocol value may hold (an RFC 7230 token); JWTs are made of them. */
const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Whether a token can travel in the Sec-WebSocket-Protocol header; otherwise it goes in an auth frame.
 * @param {string} token
 */
export function fitsSubprotocol(token) {
  return PROTOCOL_TOKEN.test(token);
}

/**
 * The WebSocket constructor to use: the one given, else the global one.
 * @param {any} [given]
 * @returns {any}
 */
export function webSocketImplementation(given) {
  const impl = given ?? globalThis.WebSocket;
  if (typeof impl !== 'function') {
    throw new TypeError('no WebSocket implementation: pass one as options.WebSocket '
      + "(e.g. `import WebSocket from 'ws'` on Node before 22)");
  }
  return impl;
}

const noop = () => {};

export class Transport {
  #ws;
  #handlers;
  #done = false;

  /**
   * Opens the connection.
   * @param {any} WebSocketImpl a WebSocket constructor
   * @param {string} url
   * @param {string[]} protocols sub-protocols to offer
   * @param {object | undefined} implOptions third constructor argument (e.g. `ws`'s headers); ignored by browsers
   * @param {{onOpen: () => void, onFrame: (text: string) => void, onClose: (close: {code: number, reason: string}) => void}} handlers
   */
  constructor(WebSocketImpl, url, protocols, implOptions, handlers) {
    this.url = url;
    this.#handlers = handlers;
    try {
      this.#ws = implOptions === undefined
        ? new WebSocketImpl(url, protocols)
        : new WebSocketImpl(url, protocols, implOptions);
    } catch (e) {
      this.#ws = null;
      queueMicrotask(() => this.#finish({ code: 1006, reason: `cannot open ${url}: ${e.message}` }));
      return;
    }
    this.#ws.onopen = () => !this.#done && handlers.onOpen();
    this.#ws.onmessage = (event) => {
      if (this.#done || typeof event.data !== 'string') {
        return;
      }
      for (const frame of splitFrames(event.data)) {
        if (this.#done) {
          return; // a frame closed the connection: the rest is not for anyone
        }
        handlers.onFrame(frame);
      }
    };
    this.#ws.onerror = noop; // a close event always follows
    this.#ws.onclose = (event) => this.#finish({ code: event.code, reason: event.reason ?? '' });
  }

  /** Sends one text frame; false when the socket is not open. */
  send(text) {
    if (this.#done || !this.#ws || this.#ws.readyState !== 1) {
      return false;
    }
    this.#ws.send(text);
    return true;
  }

  /** Closes with a closing handshake; no close is reported for a close the caller asked for. */
  close(code = 1000, reason = '') {
    this.#done = true;
    this.#detach();
    try {
      this.#ws?.close(code, reason);
    } catch {
      // already closing
    }
  }

  /** Drops a link that is dead or stuck and reports it closed at once with 1006 and this reason. */
  abort(reason) {
    if (this.#done) {
      return;
    }
    this.#detach();
    try {
      if (typeof this.#ws?.terminate === 'function') {
        this.#ws.terminate();
      } else {
        this.#ws?.close();
      }
    } catch {
      // already closing
    }
    this.#finish({ code: 1006, reason });
  }

  #detach() {
    if (this.#ws) {
      this.#ws.onopen = noop;
      this.#ws.onmessage = noop;
      this.#ws.onclose = noop;
      this.#ws.onerror = noop;
    }
  }

  #finish(close) {
    if (this.#done) {
      return;
    }
    this.#done = true;
    this.#detach();
    this.#handlers.onClose(close);
  }
}
