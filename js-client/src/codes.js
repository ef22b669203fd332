/**
 * The contract's error and close codes (PROTOCOL.md section 4). This file mirrors the node's Java
 * enums `ErrorCode` and `CloseCode`; test/unit/codes.test.js checks that they match.
 * @module codes
 */

/** Error codes a node answers with, by enum name. */
export const ErrorCode = Object.freeze({
  BAD_REQUEST: 'bad_request',
  UNKNOWN_TYPE: 'unknown_type',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  CHANNEL_FULL: 'channel_full',
  NOT_SUBSCRIBED: 'not_subscribed',
  RATE_LIMITED: 'rate_limited',
  TOO_LARGE: 'too_large',
  UPSTREAM_ERROR: 'upstream_error',
  TIMEOUT: 'timeout',
  UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
});

/**
 * Close codes a node closes with. A terminal code tells the client not to reconnect on its own;
 * after any other code it reconnects with backoff (at once, elsewhere, after DRAINING).
 */
export const CloseCode = Object.freeze({
  NORMAL: Object.freeze({ code: 1000, terminal: false }),
  BINARY_FRAME: Object.freeze({ code: 1003, terminal: true }),
  INVALID_UTF8: Object.freeze({ code: 1007, terminal: false }),
  POLICY: Object.freeze({ code: 1008, terminal: true }),
  TOO_LARGE: Object.freeze({ code: 1009, terminal: false }),
  INTERNAL: Object.freeze({ code: 1011, terminal: false }),
  DRAINING: Object.freeze({ code: 1012, terminal: false }),
  NODE_FULL: Object.freeze({ code: 1013, terminal: false }),
  UNAUTHORIZED: Object.freeze({ code: 4001, terminal: true }),
  FORBIDDEN: Object.freeze({ code: 4003, terminal: true }),
  RATE_LIMITED: Object.freeze({ code: 4029, terminal: false }),
});

/**
 * Codes of errors the client raises itself, beside the node's. `timeout` is the contract's code,
 * used for an answer that did not come within `requestTimeout`.
 */
export const ClientErrorCode = Object.freeze({
  TIMEOUT: ErrorCode.TIMEOUT,
  /** The connection closed (or `disconnect()` was called) before the command was answered. */
  DISCONNECTED: 'disconnected',
  /** The command was made while disconnected and the offline queue was full (or off). */
  QUEUE_FULL: 'queue_full',
  /** The connection closed with a terminal close code: the client will not reconnect. */
  CLOSED: 'closed',
  /** A frame from the node was not a JSON object with a type. */
  BAD_FRAME: 'bad_frame',
});

const TERMINAL = new Set(Object.values(CloseCode).filter((c) => c.terminal).map((c) => c.code));

/**
 * Whether a close code forbids reconnecting (1003, 1008, 4001, 4003). Codes the contract does not
 * name (1006 for a lost link among them) are not terminal.
 * @param {number} code
 * @returns {boolean}
 */
export function isTerminalClose(code) {
  return TERMINAL.has(code);
}
