/**
 * The ChatCluster client (PROTOCOL.md section 7): one connection to one node of a cluster at a
 * time, chosen from a node list or a load balancer's URL; reconnects with backoff and resubscribes
 * every channel from where it was, so no message of a persistent channel is lost or delivered twice.
 * @module ChatClusterClient
 */
import { Backoff, reconnectOptions } from './backoff.js';
import { ClientErrorCode, CloseCode, ErrorCode, isTerminalClose } from './codes.js';
import { commands, decode, encode, errorFrom } from './codec.js';
import { Emitter } from './emitter.js';
import { Inboxes, defaultInboxStore } from './inbox.js';
import { ChatClusterError } from './errors.js';
import { NodeSelector } from './nodes.js';
import { Requests } from './requests.js';
import { Subscription } from './subscription.js';
import { SUBPROTOCOL, Transport, fitsSubprotocol, webSocketImplementation } from './transport.js';
import { Watchdog } from './watchdog.js';

export { ChatClusterError } from './errors.js';
export { ClientErrorCode, CloseCode, ErrorCode, isTerminalClose } from './codes.js';

/** Defaults of the options, in milliseconds and counts. */
export const DEFAULTS = Object.freeze({
  strategy: 'random',
  requestTimeout: 10000,
  connectTimeout: 10000,
  failedNodeTimeout: 30000,
  offlineQueue: 100,
});

/**
 * The connection states: `disconnected` (before connect, after disconnect or a terminal close),
 * `connecting` (the first connection), `connected`, `reconnecting` (waiting for or making another).
 * @typedef {'disconnected' | 'connecting' | 'connected' | 'reconnecting'} ConnectionState
 */

export class ChatClusterClient extends Emitter {
  #selector;
  #username;
  #options;
  #WebSocket;
  #reconnect;
  #backoff;
  #requests;
  #watchdog = new Watchdog();
  /** channel -> Subscription, in subscribe order */
  #subs = new Map();
  /** @type {ConnectionState} */
  #state = 'disconnected';
  #transport = null;
  #welcome = null;
  #everConnected = false;
  #connectWaiters = [];
  #attempt = 0;
  #reconnectTimer = null;
  #connectTimer = null;
  #stableTimer = null;
  #inbox;
  #inboxRetryTimer = null;
  #inboxRetryDelay = 1000;

  /**
   * @param {Array<string | {host: string, port?: number, secure?: boolean, path?: string}> | string} nodes
   *   the nodes' WebSocket URLs (or `{host, port, secure, path}`), or one load balancer URL
   * @param {string | null} username the user to connect as: claimed with `?user=` (a development
   *   setting on hardened nodes), or the user the token names; null to let the token decide
   * @param {object} [options] see ChatClusterClientOptions in the type declarations
   */
  constructor(nodes, username, options = {}) {
    super();
    this.#options = { ...DEFAULTS, ...options };
    this.#selector = new NodeSelector(nodes, this.#options);
    this.#username = username ?? null;
    this.#WebSocket = webSocketImplementation(options.WebSocket);
    this.#reconnect = reconnectOptions(options.reconnect);
    this.#backoff = new Backoff(this.#reconnect);
    this.#requests = new Requests(this.#options.offlineQueue);
    this.#inbox = new Inboxes(options.inboxStore ?? defaultInboxStore(),
      (kind, offset) => {
        if (this.#state === 'connected') {
          this.#transport.send(encode(commands.inboxAck(kind, offset)));
        }
      },
      (event, frame) => this.#deliverFromInbox(event, frame),
      (error) => this.emit('error', error),
      () => this.#rereadInbox());
  }

  /**
   * A handler of an inbox message failed (or there was none): the message and what follows are read
   * again from the node, on a new connection, after a delay that doubles while it keeps failing
   * (1 s to 30 s), so that a message the app cannot take yet does not stop the inbox for good.
   */
  #rereadInbox() {
    if (this.#inboxRetryTimer) {
      return;
    }
    const transport = this.#transport;
    const delay = this.#inboxRetryDelay;
    this.#inboxRetryDelay = Math.min(30000, delay * 2);
    this.#inboxRetryTimer = setTimeout(() => {
      this.#inboxRetryTimer = null;
      if (this.#state === 'connected' && this.#transport === transport) {
        transport.abort('an inbox message was not handled: reading the inbox again');
      }
    }, delay);
  }

  /**
   * Runs the app's handlers of an inbox frame and resolves when they are done. A `direct` without
   * a handler is not taken (it comes again on the next connection): nobody has it yet. A `receipt`
   * without one is taken.
   */
  #deliverFromInbox(event, frame) {
    if (event === 'direct' && !this.has('direct')) {
      return Promise.reject(new ChatClusterError(ClientErrorCode.BAD_FRAME,
        'a direct message from the inbox arrived with no direct handler: it is kept for the next connection'));
    }
    return this.emitAndWait(event, frame).then(() => {
      this.#inboxRetryDelay = 1000;
    });
  }

  /** What the app has handled of this device's inboxes: `{user: {epoch, offset}, device: {epoch, offset}}`. */
  get inboxPositions() {
    return this.#inbox.positions;
  }

  /** @returns {ConnectionState} */
  get state() {
    return this.#state;
  }

  /** The welcome of the current connection (`{session, node, user, device, heartbeat}`), or null. */
  get connection() {
    return this.#state === 'connected' ? { ...this.#welcome } : null;
  }

  /** The channels subscribed to (or to be subscribed to once connected). */
  get channels() {
    return [...this.#subs.keys()];
  }

  // ------------------------------------------------------------------ connection

  /**
   * Connects, trying nodes with backoff until one takes the connection.
   * @returns {Promise<object>} the welcome: `{session, node, user, device, heartbeat, url}`
   */
  connect() {
    if (this.#state === 'connected') {
      return Promise.resolve(this.connection);
    }
    const connected = new Promise((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (this.#state === 'disconnected') {
      this.#setState('connecting');
      this.#open();
    }
    return connected;
  }

  /**
   * Closes the connection (1000) and stops reconnecting. Commands waiting for an answer fail with
   * `disconnected`; subscriptions are kept and made again by the next `connect()`.
   */
  disconnect() {
    if (this.#state === 'disconnected') {
      return;
    }
    const transport = this.#transport;
    this.#transport = null;
    transport?.close(CloseCode.NORMAL.code, 'client disconnect');
    this.#stop({ code: CloseCode.NORMAL.code, reason: 'client disconnect' }, null);
  }

  async #open() {
    const attempt = ++this.#attempt;
    const url = this.#selector.next();
    let token;
    try {
      token = typeof this.#options.token === 'function' ? await this.#options.token() : this.#options.token;
    } catch (e) {
      if (attempt === this.#attempt && this.#state !== 'disconnected') {
        this.emit('error', new ChatClusterError(ErrorCode.UNAUTHORIZED, `token function failed: ${e.message}`, e));
        this.#connectionEnded(url, false, { code: 1006, reason: 'no token' });
      }
      return;
    }
    if (attempt !== this.#attempt || this.#state === 'disconnected') {
      return;
    }
    const inHeader = typeof token === 'string' && token !== '' && fitsSubprotocol(token);
    const protocols = inHeader ? [SUBPROTOCOL, token] : [SUBPROTOCOL];
    const transport = new Transport(this.#WebSocket, this.#identityUrl(url), protocols, this.#options.webSocketOptions, {
      onOpen: () => {
        if (token && !inHeader) {
          transport.send(encode(commands.auth(token)));
        }
      },
      onFrame: (text) => this.#handleFrame(transport, text),
      onClose: (close) => this.#handleClose(transport, close),
    });
    transport.nodeUrl = url;
    this.#transport = transport;
    this.#connectTimer = setTimeout(() => transport.abort(`no welcome within ${this.#options.connectTimeout} ms`),
      this.#options.connectTimeout);
  }

  #identityUrl(url) {
    const u = new URL(url);
    if (this.#options.batch !== false) {
      // Several frames per WebSocket message (split by the transport). In the URL, not as sub-protocol
      // chatcluster.v2: a node without it ignores the parameter, but would take a second sub-protocol
      // for the token.
      u.searchParams.set('batch', '1');
    }
    if (this.#username) {
      u.searchParams.set('user', this.#username);
    }
    if (this.#options.device) {
      u.searchParams.set('device', this.#options.device);
    }
    return u.toString();
  }

  #handleWelcome(transport, frame) {
    if (this.#state === 'connected') {
      this.#welcome = frame; // a later auth frame's new welcome
      return;
    }
    clearTimeout(this.#connectTimer);
    this.#welcome = { ...frame, url: transport.nodeUrl };
    this.#inbox.welcomed(frame.user, frame.device);
    this.#selector.markHealthy(transport.nodeUrl);
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#setState('connected');
    this.#stableTimer = setTimeout(() => this.#backoff.reset(), this.#reconnect.stableAfter);
    const heartbeatTimeout = this.#options.heartbeatTimeout ?? 2 * (frame.heartbeat ?? 0) * 1000;
    this.#watchdog.start(heartbeatTimeout, {
      ping: () => transport.send(encode(commands.ping())),
      dead: (silent) => transport.abort(`heartbeat: no frame for ${silent} ms`),
    });
    // Subscribes first, then what was queued: the node applies one connection's commands in order.
    for (const sub of this.#subs.values()) {
      this.#sendSubscribe(sub, reconnected);
    }
    for (const queued of this.#requests.drain()) {
      transport.send(encode(queued));
    }
    const info = { ...this.#welcome, reconnected };
    this.emit('connected', info);
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    waiters.forEach((w) => w.resolve(info));
  }

  #handleClose(transport, close) {
    if (transport !== this.#transport) {
      return;
    }
    this.#transport = null;
    const wasConnected = this.#state === 'connected';
    this.#clearConnectionTimers();
    for (const sub of this.#subs.values()) {
      sub.active = false;
    }
    this.#requests.failSent(new ChatClusterError(ClientErrorCode.DISCONNECTED,
      `connection closed (${close.code}) before the answer`, close));
    if (isTerminalClose(close.code)) {
      this.#stop(close, new ChatClusterError(ClientErrorCode.CLOSED,
        `closed by the node with ${close.code}${close.reason ? ` (${close.reason})` : ''}: not reconnecting`, close));
      return;
    }
    this.#connectionEnded(transport.nodeUrl, wasConnected, close);
  }

  /** Reconnects after a connection (or an attempt) ended with a close that allows it. */
  #connectionEnded(url, wasConnected, close) {
    const draining = close.code === CloseCode.DRAINING.code;
    if (!wasConnected || close.code !== CloseCode.NORMAL.code) {
      this.#selector.markFailed(url);
    }
    if (wasConnected) {
      this.emit('disconnected', { ...close, willReconnect: true });
    }
    if (!(draining && wasConnected) && this.#backoff.exhausted) {
      this.#stop(close, new ChatClusterError(ClientErrorCode.CLOSED,
        `gave up after ${this.#backoff.attempt} reconnect attempts`, close));
      return;
    }
    const delay = draining && wasConnected ? 0 : this.#backoff.next();
    this.#setState(this.#everConnected ? 'reconnecting' : 'connecting');
    this.emit('reconnecting', { attempt: this.#backoff.attempt, delay, code: close.code, reason: close.reason });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delay);
  }

  /** Ends in `disconnected`: no reconnect; every waiting command and connect() fails. */
  #stop(close, error) {
    this.#attempt++;
    clearTimeout(this.#inboxRetryTimer);
    this.#inboxRetryTimer = null;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#clearConnectionTimers();
    const wasConnected = this.#state === 'connected';
    this.#setState('disconnected');
    for (const sub of this.#subs.values()) {
      sub.active = false;
    }
    const failure = error ?? new ChatClusterError(ClientErrorCode.DISCONNECTED, 'disconnected', close);
    this.#requests.failAll(failure);
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    waiters.forEach((w) => w.reject(failure));
    if (wasConnected || error) {
      this.emit('disconnected', { ...close, willReconnect: false });
    }
    if (error) {
      this.emit('error', error);
    }
  }

  #clearConnectionTimers() {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#stableTimer);
    this.#watchdog.stop();
  }

  #setState(state) {
    if (state !== this.#state) {
      const previous = this.#state;
      this.#state = state;
      this.emit('state', { state, previous });
    }
  }

  // ------------------------------------------------------------------ frames from the node

  #handleFrame(transport, text) {
    if (transport !== this.#transport) {
      return;
    }
    this.#watchdog.touch();
    let frame;
    try {
      frame = decode(text);
    } catch (e) {
      this.emit('error', e);
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.#handleWelcome(transport, frame);
        break;
      case 'ack':
      case 'error':
        if (frame.id === null || frame.id === undefined || !this.#requests.answer(frame, errorFrom)) {
          if (frame.type === 'error') {
            this.emit('error', errorFrom(frame));
          }
        }
        break;
      case 'pong':
        break;
      case 'message': {
        const sub = this.#subs.get(frame.channel);
        if (sub?.active && sub.accept(frame)) {
          this.emit('message', frame);
        }
        break;
      }
      case 'reset':
        this.#subs.get(frame.channel)?.reset(frame);
        this.emit('reset', frame);
        break;
      case 'subscribed':
        this.#handleServerSubscribe(frame);
        break;
      case 'unsubscribed':
        this.#subs.delete(frame.channel);
        this.emit('unsubscribed', frame);
        break;
      case 'inbox':
        this.#inbox.opened(frame);
        break;
      case 'inbox_gap':
        this.#inbox.gap(frame);
        this.emit('inbox_gap', frame);
        break;
      case 'direct':
      case 'receipt':
        if (frame.inbox !== undefined) {
          this.#inbox.accept(frame.type, frame); // handlers run from the inbox, in order, once
        } else {
          this.emit(frame.type, frame);
        }
        break;
      default:
        this.emit(frame.type, frame); // event, direct, broadcast, join, leave, task, response
    }
  }

  /** A backend subscribed this connection: keep the channel so that reconnects resubscribe it. */
  #handleServerSubscribe(frame) {
    let sub = this.#subs.get(frame.channel);
    if (!sub) {
      sub = new Subscription(frame.channel);
      this.#subs.set(frame.channel, sub);
    }
    sub.subscribed({ offset: frame.offset, epoch: frame.epoch, recovered: false });
    this.emit('subscribed', { channel: frame.channel, offset: frame.offset, epoch: frame.epoch, recovered: false,
      resubscribed: false, byServer: true });
  }

  // ------------------------------------------------------------------ commands

  /**
   * Sends a command (or queues it while reconnecting); `settle` runs when its answer is handled.
   * @param {object} frame
   * @param {number | undefined} timeout
   * @param {(error: ChatClusterError | null, result?: any) => void} settle
   */
  #dispatch(frame, timeout, settle, resend = false) {
    if (this.#state === 'disconnected') {
      settle(new ChatClusterError(ClientErrorCode.DISCONNECTED, `not connected: ${frame.type} needs connect() first`));
      return;
    }
    const id = this.#requests.add(frame, timeout ?? this.#options.requestTimeout, settle, { resend });
    if (this.#state === 'connected') {
      this.#transport.send(encode(this.#requests.send(id)));
    } else if (!this.#requests.enqueue(id)) {
      this.#requests.fail(id, new ChatClusterError(ClientErrorCode.QUEUE_FULL,
        `not connected and ${this.#options.offlineQueue} commands already wait for a connection`));
    }
  }

  #command(frame, timeout, resend = false) {
    return new Promise((resolve, reject) => {
      this.#dispatch(frame, timeout, (error, result) => (error ? reject(error) : resolve(result)), resend);
    });
  }

  /** Subscribes on the current connection; the ack is applied before the frames that follow it. */
  #sendSubscribe(sub, resubscribe) {
    this.#dispatch(commands.subscribe(sub.channel, sub.since()), undefined, (error, result) => {
      if (this.#subs.get(sub.channel) !== sub) {
        return; // unsubscribed meanwhile
      }
      if (error) {
        if (error.code === ClientErrorCode.DISCONNECTED) {
          return; // made again on the next connection
        }
        this.#subs.delete(sub.channel);
        sub.settle(error);
        this.emit('error', error);
        return;
      }
      const recovered = sub.subscribed(result);
      const info = { channel: sub.channel, offset: result.offset, epoch: result.epoch, recovered, resubscribed: resubscribe };
      sub.settle(null, result);
      this.emit('subscribed', info);
      if (resubscribe && !recovered) {
        this.emit('unrecovered', info);
      }
    });
  }

  /**
   * Subscribes to a channel, now or once connected, and again after every reconnect: from the
   * position reached, so that missed messages of a persistent channel are delivered (an
   * `unrecovered` event says when they could not be).
   * @param {string} channel
   * @param {{since?: {offset: number, epoch?: string}}} [options] a position to start from
   * @returns {Promise<{channel: string, offset: number, epoch: string, recovered: boolean}>} the first ack
   */
  subscribeToChannel(channel, options = {}) {
    const existing = this.#subs.get(channel);
    if (existing) {
      return existing.active
        ? Promise.resolve({ channel, offset: existing.offset, epoch: existing.epoch, recovered: true })
        : existing.waitForAck();
    }
    const sub = new Subscription(channel, options.since);
    this.#subs.set(channel, sub);
    const acked = sub.waitForAck();
    if (this.#state === 'connected') {
      this.#sendSubscribe(sub, false);
    }
    return acked;
  }

  /**
   * Leaves a channel; it is not resubscribed any more.
   * @param {string} channel
   * @returns {Promise<{channel: string}>}
   */
  unsubscribeFromChannel(channel) {
    const sub = this.#subs.get(channel);
    if (!sub) {
      return Promise.reject(new ChatClusterError(ErrorCode.NOT_SUBSCRIBED, `not subscribed to '${channel}'`));
    }
    this.#subs.delete(channel);
    sub.settle(new ChatClusterError(ErrorCode.NOT_SUBSCRIBED, `unsubscribed from '${channel}' before the ack`));
    if (this.#state !== 'connected') {
      return Promise.resolve({ channel });
    }
    return this.#command(commands.unsubscribe(channel));
  }

  /**
   * Publishes to a channel the client is subscribed to. A publish the node answers `unavailable`
   * (it could not make it durable cluster-wide) also emits an `unavailable` event.
   *
   * Every publish carries a key (`options.key`, else a random one; `retryPublishes: false` in the
   * client's options leaves it out): one that was sent when its connection ended unanswered is sent
   * again, with the same key, on the next connection, and the node keeps one of the two. So a
   * publish made just before a node died is neither lost nor doubled.
   * @param {string} channel
   * @param {any} data any JSON value
   * @param {{timeout?: number, key?: string}} [options]
   * @returns {Promise<{channel: string, offset: number | null}>}
   */
  sendMessage(channel, data, options = {}) {
    const key = options.key ?? (this.#options.retryPublishes === false ? undefined : randomKey());
    return this.#command(commands.publish(channel, data, key), options.timeout, key !== undefined).catch((error) => {
      if (error.code === ErrorCode.UNAVAILABLE) {
        this.emit('unavailable', { channel, data, error });
      }
      throw error;
    });
  }

  /**
   * Sends a custom event: to the node's handlers for `name`, and with a channel to its subscribers.
   * @param {string} name
   * @param {any} [data]
   * @param {string} [channel]
   * @returns {Promise<object>}
   */
  sendEvent(name, data, channel) {
    return this.#command(commands.event(name, data, channel));
  }

  /**
   * Sends to every connection of a user or a device, on any node. With the node's inbox on it is
   * also stored for them (`{delivered, stored: true, offset, id}`), and with `receipt: true` the
   * sender gets a `receipt` event per recipient device that has it.
   * @param {string | {user: string} | {device: string}} to a user name, or `{user}` / `{device}`
   * @param {any} data
   * @param {{receipt?: boolean}} [options]
   * @returns {Promise<{delivered: number, stored?: boolean, offset?: number, id?: string}>} without the
   *   inbox, rejects with `not_found` when nobody is connected
   */
  sendDirect(to, data, options = {}) {
    return this.#command(commands.send(to, data, options.receipt));
  }

  /**
   * Who is subscribed to a presence channel.
   * @param {string} channel
   * @returns {Promise<{channel: string, count: number, members: Array<{user: string, device: string, node: string}>}>}
   */
  presence(channel) {
    return this.#command(commands.presence(channel));
  }

  /**
   * A persistent channel's stored messages.
   * @param {string} channel
   * @param {{limit?: number, since?: {offset: number, epoch?: string}}} [options]
   * @returns {Promise<{channel: string, epoch: string, offset: number, messages: object[]}>}
   */
  history(channel, options = {}) {
    return this.#command(commands.history(channel, options));
  }

  /**
   * Has the node call the configured REST API once.
   * @param {{path: string, method?: string, body?: any, headers?: Record<string, string>}} call
   * @param {{timeout?: number}} [options]
   * @returns {Promise<{status: number, headers: Record<string, string>, body: any}>}
   */
  request(call, options = {}) {
    return this.#command(commands.request({ ...call, interval: undefined }), options.timeout);
  }

  /**
   * Schedules a REST call every `interval` seconds; each run arrives as a `task` event.
   * @param {{path: string, method?: string, body?: any, headers?: Record<string, string>, interval: number}} call
   * @returns {Promise<{task: string, interval: number, next: number}>}
   */
  schedule(call) {
    if (!(call.interval > 0)) {
      return Promise.reject(new ChatClusterError(ErrorCode.BAD_REQUEST, 'schedule needs an interval > 0 seconds'));
    }
    return this.#command(commands.request(call));
  }

  /**
   * Cancels a scheduled task of this device.
   * @param {string} task
   * @returns {Promise<{task: string}>}
   */
  cancelTask(task) {
    return this.#command(commands.cancel(task));
  }

  /**
   * The scheduled tasks of this device.
   * @returns {Promise<Array<{task: string, path: string, method: string, interval: number, next: number, lastStatus: number | null}>>}
   */
  tasks() {
    return this.#command(commands.tasks()).then((result) => result.tasks ?? []);
  }
}

/** A publish's retry key: 16 random characters. */
function randomKey() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let key = '';
  for (let i = 0; i < 16; i++) {
    key += alphabet[Math.floor(Math.random() * alphabet.length)];
  }
  return key;
}

export default ChatClusterClient;
