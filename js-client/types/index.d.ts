// Type declarations of chatcluster-client (src/ChatClusterClient.js).

/** The contract's error codes (PROTOCOL.md section 4), mirrored from the node's ErrorCode enum. */
export declare const ErrorCode: Readonly<{
  BAD_REQUEST: 'bad_request'; UNKNOWN_TYPE: 'unknown_type'; UNAUTHORIZED: 'unauthorized'; FORBIDDEN: 'forbidden';
  NOT_FOUND: 'not_found'; CHANNEL_FULL: 'channel_full'; NOT_SUBSCRIBED: 'not_subscribed';
  RATE_LIMITED: 'rate_limited'; TOO_LARGE: 'too_large'; UPSTREAM_ERROR: 'upstream_error'; TIMEOUT: 'timeout';
  UNAVAILABLE: 'unavailable'; INTERNAL: 'internal';
}>;

/** The contract's close codes, mirrored from the node's CloseCode enum; terminal ones end reconnecting. */
export declare const CloseCode: Readonly<Record<'NORMAL' | 'BINARY_FRAME' | 'INVALID_UTF8' | 'POLICY' | 'TOO_LARGE' | 'INTERNAL'
  | 'DRAINING' | 'NODE_FULL' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'RATE_LIMITED', Readonly<{ code: number; terminal: boolean }>>>;

/** Codes of errors the client raises itself. */
export declare const ClientErrorCode: Readonly<{
  TIMEOUT: 'timeout'; DISCONNECTED: 'disconnected'; QUEUE_FULL: 'queue_full'; CLOSED: 'closed'; BAD_FRAME: 'bad_frame';
}>;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
export type ClientErrorCodeValue = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Whether a close code forbids reconnecting (1003, 1008, 4001, 4003). */
export declare function isTerminalClose(code: number): boolean;

/** An error with a contract code or a client code; every rejected promise and `error` event carries one. */
export declare class ChatClusterError extends Error {
  constructor(code: string, message: string, details?: unknown);
  readonly code: ErrorCodeValue | ClientErrorCodeValue | string;
  /** The error frame or close that caused it. */
  readonly details?: unknown;
}

/** One node: a WebSocket (or http) URL, or its parts. */
export type NodeAddress = string | { host: string; port?: number; secure?: boolean; path?: string };

export interface ReconnectOptions {
  /** First delay cap in ms (default 500). */
  initialDelay?: number;
  /** Largest delay in ms (default 15000). */
  maxDelay?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** 0..1; 1 (default) is full jitter: a delay drawn from [0, cap]. */
  jitter?: number;
  /** A connection up this long (ms, default 10000) resets the backoff. */
  stableAfter?: number;
  /** Attempts in a row before giving up (default Infinity). */
  maxAttempts?: number;
}

export interface ChatClusterClientOptions {
  /** A token, or a function returning one (called again before every connection). */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** A device id claimed with ?device= (keep it stable so that tasks and direct sends follow reconnects). */
  device?: string;
  /** Node selection (default 'random'). */
  strategy?: 'random' | 'round-robin' | 'ordered';
  /** How long a node that failed is skipped, ms (default 30000). */
  failedNodeTimeout?: number;
  reconnect?: ReconnectOptions;
  /** Silence (ms) after which the link is dead; default two heartbeats of the node's welcome. */
  heartbeatTimeout?: number;
  /** Time (ms) a command waits for its answer, queued time included (default 10000). */
  requestTimeout?: number;
  /** Time (ms) a connection attempt waits for the welcome (default 10000). */
  connectTimeout?: number;
  /** Commands that may wait for a connection while reconnecting (default 100; 0 rejects them at once). */
  offlineQueue?: number;
  /** A WebSocket implementation, for Node before 22 (e.g. the `ws` package's default export). */
  WebSocket?: unknown;
  /** Third argument of the implementation's constructor (e.g. `ws`'s `{headers}`); browsers ignore it. */
  webSocketOptions?: object;
  /**
   * Where the device's inbox positions are kept (what the app handled): default localStorage in a
   * browser, else memory. Give one to keep them across restarts of a Node process.
   */
  inboxStore?: InboxStore;
  /** Whether publishes carry a retry key and are sent again after a lost connection (default true). */
  retryPublishes?: boolean;
  /**
   * Whether to ask the node for several frames per WebSocket message (`?batch=1`; default true):
   * fewer sends per delivery under load. A node without it ignores the request.
   */
  batch?: boolean;
}

export interface InboxPosition { epoch: string; offset: number }
export type InboxPositions = { user?: InboxPosition; device?: InboxPosition };
export interface InboxStore {
  load(key: string): InboxPositions | null;
  save(key: string, positions: InboxPositions): void;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** Defaults of the options (ms and counts); `reconnect` defaults are listed on ReconnectOptions. */
export declare const DEFAULTS: Readonly<{
  strategy: 'random'; requestTimeout: number; connectTimeout: number; failedNodeTimeout: number; offlineQueue: number;
}>;

export interface Sender { user: string; device: string }
export interface Position { offset: number; epoch?: string }

export interface Welcome {
  session: string; node: string; user: string; device: string; heartbeat: number;
  /** True when the node sends several frames per WebSocket message, newline-separated. */
  batch?: boolean;
  /** The node URL the connection went to. */
  url: string;
}

export interface SubscribeResult { channel: string; offset: number; epoch: string; recovered: boolean }

export interface MessageFrame { type: 'message'; channel: string; data: unknown; offset: number | null; from: Sender; ts: number }
export interface EventFrame { type: 'event'; name: string; channel?: string; data: unknown; from: Sender }
/**
 * A direct message; from the inbox (the node's inbox on) it also has its inbox, offset there, id and
 * time, and `receipt` when the sender asked for one. Handlers of inbox messages may return a promise:
 * the message is acknowledged once every handler is done.
 */
export interface DirectFrame {
  type: 'direct'; data: unknown; from: Sender;
  inbox?: 'user' | 'device'; offset?: number; id?: string; ts?: number; receipt?: boolean;
}
/** A recipient device has message `id` (sent with `receipt: true`). */
export interface ReceiptFrame {
  type: 'receipt'; id: string; to: { user: string } | { device: string }; offset: number; device: string;
  status: 'delivered'; ts: number; inbox: 'user'; inboxOffset: number;
}
/** Messages `from`..`to` of an inbox were gone before this device got them. */
export interface InboxGapFrame { type: 'inbox_gap'; inbox: 'user' | 'device'; from: number; to: number }
export interface BroadcastFrame { type: 'broadcast'; data: unknown }
export interface PresenceChange { type: 'join' | 'leave'; channel: string; user: string; device: string }
export interface TaskFrame { type: 'task'; task: string; status: number | null; body: unknown; ts: number; error?: string; message?: string }
export interface ResetFrame { type: 'reset'; channel: string; epoch: string; offset: number }
export interface PresenceResult { channel: string; count: number; members: Array<{ user: string; device: string; node: string }> }
export interface HistoryResult { channel: string; epoch: string; offset: number; messages: MessageFrame[] }
export interface RestCall { path: string; method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; headers?: Record<string, string> }
export interface RestResult { status: number; headers: Record<string, string>; body: unknown }
export interface TaskInfo { task: string; path: string; method: string; interval: number; next: number; lastStatus: number | null }

export interface ChatClusterEvents {
  message: MessageFrame;
  event: EventFrame;
  direct: DirectFrame;
  receipt: ReceiptFrame;
  inbox_gap: InboxGapFrame;
  broadcast: BroadcastFrame;
  join: PresenceChange;
  leave: PresenceChange;
  task: TaskFrame;
  response: RestResult & { type: 'response' };
  /** A subscription (re)started; `byServer` when a backend subscribed this connection. */
  subscribed: SubscribeResult & { resubscribed: boolean; byServer?: boolean };
  unsubscribed: { type: 'unsubscribed'; channel: string };
  /** A resubscribe could not fill the gap (recovered:false): refetch, e.g. with history(). */
  unrecovered: SubscribeResult & { resubscribed: true };
  /** The node lost this client's position on a live subscription: refetch. */
  reset: ResetFrame;
  /** A publish was answered `unavailable`: not durable cluster-wide, not delivered. */
  unavailable: { channel: string; data: unknown; error: ChatClusterError };
  connected: Welcome & { reconnected: boolean };
  disconnected: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { attempt: number; delay: number; code: number; reason: string };
  state: { state: ConnectionState; previous: ConnectionState };
  error: ChatClusterError | Error;
}

export declare class ChatClusterClient {
  /**
   * @param nodes the nodes' URLs (or parts), or one load balancer URL
   * @param username claimed with ?user= (development), or the user the token names; null lets the token decide
   */
  constructor(nodes: NodeAddress | NodeAddress[], username: string | null, options?: ChatClusterClientOptions);

  readonly state: ConnectionState;
  /** The current connection's welcome, or null. */
  readonly connection: Welcome | null;
  /** Channels subscribed to (resubscribed after every reconnect). */
  readonly channels: string[];

  /** What the app has handled of this device's inboxes. */
  readonly inboxPositions: InboxPositions;

  on<E extends keyof ChatClusterEvents>(event: E, handler: (payload: ChatClusterEvents[E]) => unknown): this;
  off<E extends keyof ChatClusterEvents>(event: E, handler?: (payload: ChatClusterEvents[E]) => void): this;

  connect(): Promise<Welcome & { reconnected: boolean }>;
  disconnect(): void;

  subscribeToChannel(channel: string, options?: { since?: Position }): Promise<SubscribeResult>;
  unsubscribeFromChannel(channel: string): Promise<{ channel: string }>;
  sendMessage(channel: string, data: unknown, options?: { timeout?: number; key?: string }): Promise<{ channel: string; offset: number | null }>;
  sendEvent(name: string, data?: unknown, channel?: string): Promise<Record<string, unknown>>;
  sendDirect(to: string | { user: string } | { device: string }, data: unknown, options?: { receipt?: boolean }):
    Promise<{ delivered: number | null; stored?: boolean; offset?: number; id?: string }>;
  presence(channel: string): Promise<PresenceResult>;
  history(channel: string, options?: { limit?: number; since?: Position }): Promise<HistoryResult>;
  request(call: RestCall, options?: { timeout?: number }): Promise<RestResult>;
  schedule(call: RestCall & { interval: number }): Promise<{ task: string; interval: number; next: number }>;
  cancelTask(task: string): Promise<{ task: string }>;
  tasks(): Promise<TaskInfo[]>;
}

export default ChatClusterClient;
