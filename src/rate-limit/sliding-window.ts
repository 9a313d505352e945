import type { Clock } from '../clock.js';

/** At most `limit` events in any `periodMs` window. */
export interface RateWindow {
  limit: number;
  periodMs: number;
}

/**
 * The one rate-limit primitive: a sliding-window log over one or more windows at once (Teams needs
 * 7/1 s, 8/2 s, 60/30 s and 1,800/h together; Graph needs 150/min per tenant). `acquire` waits for a
 * free slot; `pauseUntil` blocks every caller until a moment the remote side named (Retry-After).
 */
export class SlidingWindowLimiter {
  private readonly windows: readonly RateWindow[];
  private readonly longestMs: number;
  private readonly maxLimit: number;
  /** Start times of admitted events, oldest first, kept only as long as the longest window. */
  private readonly events: number[] = [];
  private pausedUntilMs = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    windows: readonly RateWindow[],
    private readonly clock: Clock,
  ) {
    if (windows.length === 0) throw new Error('SlidingWindowLimiter needs at least one window');
    for (const w of windows) {
      if (!(w.limit > 0 && w.periodMs > 0)) throw new Error(`invalid rate window ${JSON.stringify(w)}`);
    }
    this.windows = windows;
    this.longestMs = Math.max(...windows.map((w) => w.periodMs));
    this.maxLimit = Math.max(...windows.map((w) => w.limit));
  }

  /**
   * Milliseconds until an event may be admitted now (0 = immediately). Does not admit. `reserve`
   * keeps that many slots of each window (in the order given) free for others (replies before cards).
   */
  delayMs(reserve: readonly number[] = []): number {
    const now = this.clock.nowMs();
    this.forget(now);
    let wait = Math.max(0, this.pausedUntilMs - now);
    for (const [i, w] of this.windows.entries()) {
      const room = Math.max(1, w.limit - (reserve[i] ?? 0));
      if (this.events.length < room) continue;
      // The event that must leave the window before one more fits.
      const blocker = this.events[this.events.length - room];
      if (blocker !== undefined) wait = Math.max(wait, blocker + w.periodMs - now);
    }
    return wait;
  }

  /** Admits an event now if one fits (leaving `reserve` slots of each window free); returns whether it did. */
  tryAcquire(reserve: readonly number[] = []): boolean {
    if (this.delayMs(reserve) > 0) return false;
    this.events.push(this.clock.nowMs());
    return true;
  }

  /** Waits (first come, first served) until an event fits, then admits it. */
  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (let wait = this.delayMs(); wait > 0; wait = this.delayMs()) await this.clock.sleep(wait);
      this.events.push(this.clock.nowMs());
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Counts events admitted before this limiter existed (e.g. posts made before a restart), so it
   * admits no more than the remote side, which still remembers them, will accept.
   */
  recordPast(timesMs: readonly number[]): void {
    const now = this.clock.nowMs();
    this.events.push(...timesMs.filter((t) => t <= now && t > now - this.longestMs));
    this.events.sort((a, b) => a - b);
    this.forget(now);
  }

  /** Blocks all admissions until `untilMs` (epoch ms), e.g. after a 429 with Retry-After. */
  pauseUntil(untilMs: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
  }

  /**
   * Milliseconds from now until `count` more events would all be admitted if they were acquired
   * back to back, as early as every window (and any pause) allows. Plans, does not admit: e.g.
   * "how long would this backlog take to drain?". `count` is capped at 100,000.
   */
  timeToAdmitMs(count: number): number {
    const now = this.clock.nowMs();
    this.forget(now);
    const simulated = this.events.slice();
    let at = Math.max(now, this.pausedUntilMs);
    const total = Math.min(Math.max(0, Math.floor(count)), 100_000);
    for (let n = 0; n < total; n++) {
      for (const w of this.windows) {
        const blocker = simulated.length >= w.limit ? simulated[simulated.length - w.limit] : undefined;
        if (blocker !== undefined) at = Math.max(at, blocker + w.periodMs);
      }
      simulated.push(at);
    }
    return at - now;
  }

  /** How many more events fit right now in the tightest window (for diagnostics). */
  headroom(): number {
    const now = this.clock.nowMs();
    this.forget(now);
    let room = Infinity;
    for (const w of this.windows) {
      const inWindow = this.countSince(now - w.periodMs);
      room = Math.min(room, w.limit - inWindow);
    }
    return Math.max(0, room);
  }

  /** Events admitted in the last `periodMs`. */
  countWithin(periodMs: number): number {
    const now = this.clock.nowMs();
    this.forget(now);
    return this.countSince(now - periodMs);
  }

  private countSince(startMs: number): number {
    let count = 0;
    for (let i = this.events.length - 1; i >= 0 && (this.events[i] ?? 0) > startMs; i--) count++;
    return count;
  }

  private forget(now: number): void {
    let drop = 0;
    while (drop < this.events.length && (this.events[drop] ?? 0) <= now - this.longestMs) drop++;
    // Beyond the largest limit nothing older can matter either.
    drop = Math.max(drop, this.events.length - this.maxLimit);
    if (drop > 0) this.events.splice(0, drop);
  }
}
