/**
 * The heartbeat watchdog of one connection. A node pings every `heartbeat` seconds, but browsers
 * hide WebSocket pings from scripts, so the client asks for a frame itself: after half the timeout
 * without a frame it sends a `ping` command (answered by a `pong`), and after the whole timeout
 * (by default two heartbeats) it declares the link dead.
 */
export class Watchdog {
  #timer = null;
  #lastFrameAt = 0;
  #lastPingAt = 0;
  #now;

  /** @param {() => number} [now] */
  constructor(now = Date.now) {
    this.#now = now;
  }

  /**
   * @param {number} timeout milliseconds of silence after which the link is dead
   * @param {{ping: () => void, dead: (silentMs: number) => void}} actions
   */
  start(timeout, actions) {
    this.stop();
    if (!(timeout > 0)) {
      return;
    }
    const pingAfter = timeout / 2;
    this.#lastFrameAt = this.#now();
    this.#lastPingAt = 0;
    this.#timer = setInterval(() => {
      const now = this.#now();
      const silent = now - this.#lastFrameAt;
      if (silent >= timeout) {
        this.stop();
        actions.dead(silent);
      } else if (silent >= pingAfter && now - this.#lastPingAt >= pingAfter) {
        this.#lastPingAt = now;
        actions.ping();
      }
    }, Math.max(20, Math.min(pingAfter / 2, 5000)));
  }

  /** A frame arrived: the link is alive. */
  touch() {
    this.#lastFrameAt = this.#now();
  }

  stop() {
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}
