/**
 * The wire format (PROTOCOL.md section 2): the only module that knows the fields of client
 * commands and that turns frames into JSON text and back.
 * @module codec
 */
import { ChatClusterError } from './errors.js';
import { ClientErrorCode } from './codes.js';

/** Builders of client commands, without their `id`. */
export const commands = Object.freeze({
  auth: (token) => ({ type: 'auth', token }),
  subscribe: (channel, since) => (since ? { type: 'subscribe', channel, since } : { type: 'subscribe', channel }),
  unsubscribe: (channel) => ({ type: 'unsubscribe', channel }),
  publish: (channel, data, key) => (key ? { type: 'publish', channel, data, key } : { type: 'publish', channel, data }),
  event: (name, data, channel) => (channel === undefined ? { type: 'event', name, data } : { type: 'event', name, channel, data }),
  send: (to, data, receipt) => withDefined({ type: 'send', to: typeof to === 'string' ? { user: to } : to, data,
    receipt: receipt ? true : undefined }),
  inboxAck: (inbox, offset) => ({ type: 'inbox_ack', inbox, offset }),
  presence: (channel) => ({ type: 'presence', channel }),
  history: (channel, { limit, since } = {}) => withDefined({ type: 'history', channel, limit, since }),
  request: ({ path, method = 'GET', body, headers, interval }) =>
    withDefined({ type: 'request', path, method, body, headers, interval }),
  tasks: () => ({ type: 'tasks' }),
  cancel: (task) => ({ type: 'cancel', task }),
  ping: () => ({ type: 'ping' }),
});

function withDefined(frame) {
  for (const key of Object.keys(frame)) {
    if (frame[key] === undefined) {
      delete frame[key];
    }
  }
  return frame;
}

/**
 * @param {object} frame
 * @returns {string} the text frame
 */
export function encode(frame) {
  return JSON.stringify(frame);
}

/**
 * Decodes one text frame from a node.
 * @param {string} text
 * @returns {{type: string} & Record<string, any>}
 * @throws {ChatClusterError} `bad_frame` when it is not a JSON object with a string `type`
 */
export function decode(text) {
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new ChatClusterError(ClientErrorCode.BAD_FRAME, 'frame from the node is not JSON', { text });
  }
  if (frame === null || typeof frame !== 'object' || typeof frame.type !== 'string') {
    throw new ChatClusterError(ClientErrorCode.BAD_FRAME, 'frame from the node has no type', { text });
  }
  return frame;
}

/** The error a node's `error` frame stands for. */
export function errorFrom(frame) {
  return new ChatClusterError(frame.code ?? 'internal', frame.message ?? frame.code ?? 'error', frame);
}
