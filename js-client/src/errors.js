/**
 * An error with one of the contract's codes (`ErrorCode`) or the client's own (`ClientErrorCode`).
 * Promises of the client reject with it; the `error` event carries it.
 */
export class ChatClusterError extends Error {
  /**
   * @param {string} code the wire code, e.g. `not_subscribed`, or a client code, e.g. `timeout`
   * @param {string} message what went wrong
   * @param {object} [details] the frame or close that caused it
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'ChatClusterError';
    this.code = code;
    if (details !== undefined) {
      this.details = details;
    }
  }
}
