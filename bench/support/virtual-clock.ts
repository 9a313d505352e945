import type { Clock } from '../../src/clock.js';

/** Time that moves only when a benchmark says so: for planning with the real limiter, or stamping seeded records. */
export class VirtualClock implements Clock {
  constructor(private ms = 0) {}
  now(): Date {
    return new Date(this.ms);
  }
  nowMs(): number {
    return this.ms;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
