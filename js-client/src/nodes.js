/**
 * Node selection: which WebSocket URL the next connection attempt uses. Nodes are given as URL
 * strings (ws:, wss:, or http:/https:, turned into ws:/wss:) or as `{host, port, secure, path}`;
 * a single URL, such as a load balancer's, is a list of one. A node that failed is skipped for
 * `failedNodeTimeout`, unless every node has failed; then the one that failed longest ago is tried.
 * @module nodes
 */

/** The node selection strategies. */
export const STRATEGIES = Object.freeze(['random', 'round-robin', 'ordered']);

/**
 * The WebSocket URL of one node description.
 * @param {string | {host: string, port?: number, secure?: boolean, path?: string}} node
 * @returns {string}
 */
export function nodeUrl(node) {
  if (typeof node === 'string') {
    const url = new URL(node);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new TypeError(`not a WebSocket URL: ${node}`);
    }
    if (url.pathname === '/' || url.pathname === '') {
      url.pathname = '/ws';
    }
    return url.toString();
  }
  if (node && typeof node === 'object' && typeof node.host === 'string') {
    const scheme = node.secure ? 'wss' : 'ws';
    const host = node.host.includes(':') && !node.host.startsWith('[') ? `[${node.host}]` : node.host;
    const port = node.port === undefined ? '' : `:${node.port}`;
    const path = node.path ?? '/ws';
    return `${scheme}://${host}${port}${path.startsWith('/') ? path : `/${path}`}`;
  }
  throw new TypeError('a node is a URL string or {host, port, secure, path}');
}

/** Picks the node of each connection attempt and remembers which ones failed. */
export class NodeSelector {
  #urls;
  #strategy;
  #failedFor;
  #now;
  #random;
  #next = 0;
  /** url -> time it failed */
  #failed = new Map();

  /**
   * @param {Array<string | object> | string | object} nodes
   * @param {{strategy?: string, failedNodeTimeout?: number, now?: () => number, random?: () => number}} [options]
   */
  constructor(nodes, options = {}) {
    const list = Array.isArray(nodes) ? nodes : [nodes];
    if (list.length === 0) {
      throw new TypeError('at least one node is needed');
    }
    this.#urls = list.map(nodeUrl);
    this.#strategy = options.strategy ?? 'random';
    if (!STRATEGIES.includes(this.#strategy)) {
      throw new TypeError(`strategy must be one of ${STRATEGIES.join(', ')}`);
    }
    this.#failedFor = options.failedNodeTimeout ?? 30000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    if (this.#strategy === 'round-robin') {
      this.#next = Math.floor(this.#random() * this.#urls.length);
    }
  }

  /** Every node's URL, in the order given. */
  get urls() {
    return [...this.#urls];
  }

  /** The URL of the next attempt. */
  next() {
    const now = this.#now();
    const healthy = this.#urls.filter((u) => !(now - (this.#failed.get(u) ?? -Infinity) < this.#failedFor));
    if (healthy.length === 0) {
      return this.#urls.reduce((a, b) => (this.#failed.get(a) <= this.#failed.get(b) ? a : b));
    }
    switch (this.#strategy) {
      case 'ordered':
        return healthy[0];
      case 'round-robin': {
        for (let i = 0; i < this.#urls.length; i++) {
          const url = this.#urls[(this.#next + i) % this.#urls.length];
          if (healthy.includes(url)) {
            this.#next = (this.#urls.indexOf(url) + 1) % this.#urls.length;
            return url;
          }
        }
        return healthy[0];
      }
      default:
        return healthy[Math.floor(this.#random() * healthy.length)];
    }
  }

  /** Skips this node for a while (it refused, dropped or drained a connection). */
  markFailed(url) {
    if (this.#urls.length > 1) {
      this.#failed.set(url, this.#now());
    }
  }

  /** The node took a connection: it is no longer skipped. */
  markHealthy(url) {
    this.#failed.delete(url);
  }
}
