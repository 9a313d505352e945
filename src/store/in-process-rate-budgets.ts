import type { Clock } from '../clock.js';
import { SlidingWindowLimiter, type RateWindow } from '../rate-limit/sliding-window.js';
import type { BudgetTake, RateBudgetStore, TakeOptions } from './rate-budgets.js';

/** Rate budgets of the embedded store's single process: one sliding window per budget, on the injected clock. */
export class InProcessRateBudgets implements RateBudgetStore {
  private readonly limiters = new Map<string, SlidingWindowLimiter>();

  constructor(private readonly clock: Clock) {}

  async take(name: string, windows: readonly RateWindow[], options: TakeOptions = {}): Promise<BudgetTake> {
    const limiter = this.limiterFor(name, windows);
    const reserve = options.reserve ?? [];
    if (limiter.tryAcquire(reserve)) return { admitted: true, used: limiter.countWithin(Math.max(...windows.map((w) => w.periodMs))) };
    return { admitted: false, waitMs: Math.max(1, limiter.delayMs(reserve)) };
  }

  async pause(name: string, ms: number): Promise<void> {
    this.limiters.get(name)?.pauseUntil(this.clock.nowMs() + ms);
  }

  async headroom(name: string, window: RateWindow): Promise<number> {
    const limiter = this.limiters.get(name);
    if (!limiter) return window.limit;
    return limiter.delayMs() > 0 && limiter.headroom() > 0 ? 0 : limiter.headroom();
  }

  private limiterFor(name: string, windows: readonly RateWindow[]): SlidingWindowLimiter {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(windows, this.clock);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}
