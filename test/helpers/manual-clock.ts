import type { Clock } from '../../src/clock.js';

/**
 * A clock tests move by hand. `sleep` resolves when `advance` passes its deadline, so code that
 * waits on the clock runs in simulated time.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start = Date.parse('2026-11-26T09:00:00Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.sleepers.push({ until: this.current + Math.max(0, ms), resolve }));
  }

  /** Moves time forward, waking sleepers in deadline order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!next) break;
      this.current = Math.max(this.current, next.until);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.current = target;
    await flushMicrotasks();
  }

  get pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Whether something sleeps until exactly `atMs` (a loop that went back to sleep after its turn). */
  hasSleeperUntil(atMs: number): boolean {
    return this.sleepers.some((s) => s.until === atMs);
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
