import type { RateWindow } from '../rate-limit/sliding-window.js';

/** How one take counts. */
export interface TakeOptions {
  /**
   * Slots of each window (in the order of the windows) this take must leave free (default none):
   * a lower-priority user (alert cards) leaves them to a higher one (replies), which then does not
   * wait behind it.
   */
  readonly reserve?: readonly number[];
}

/** What taking from a budget came to: admitted (and how much of the longest window is used), or how long to wait. */
export type BudgetTake = { readonly admitted: true; readonly used: number } | { readonly admitted: false; readonly waitMs: number };

/**
 * Rate budgets every instance draws from, e.g. Graph's 150 requests a minute per customer tenant:
 * N instances together stay within one budget instead of N. A budget is a sliding window over the
 * events admitted anywhere, and a pause (a 429's Retry-After) that holds every instance.
 */
export interface RateBudgetStore {
  /**
   * Admits one event against budget `name` if every window has room and no pause is on; else says
   * how long to wait. A budget keeps the windows it is taken with (always the same for one name).
   */
  take(name: string, windows: readonly RateWindow[], options?: TakeOptions): Promise<BudgetTake>;
  /** Admits nothing from budget `name` for `ms` from now (a longer pause already on stays). */
  pause(name: string, ms: number): Promise<void>;
  /** How many more events budget `name` would admit now (0 during a pause). */
  headroom(name: string, window: RateWindow): Promise<number>;
}
