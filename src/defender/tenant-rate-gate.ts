import type { Clock } from '../clock.js';
import type { RateWindow } from '../rate-limit/sliding-window.js';
import type { RateBudgetStore } from '../store/rate-budgets.js';

/** Graph's limit for the security API: 150 requests a minute per app per customer tenant. */
export const GRAPH_TENANT_WINDOW: RateWindow = { limit: 150, periodMs: 60_000 };

/**
 * Every Graph request for a customer tenant passes here first. The budget is the store's, so
 * every instance on one database draws from the same 150 a minute, and a 429 seen by one holds
 * them all for its Retry-After.
 */
export class TenantRateGate {
  constructor(
    private readonly budgets: RateBudgetStore,
    private readonly window: RateWindow,
    private readonly clock: Clock,
  ) {}

  /** Waits until the tenant's budget admits one more request, and counts it. */
  async acquire(tenantId: string): Promise<void> {
    for (;;) {
      const take = await this.budgets.take(budgetName(tenantId), [this.window]);
      if (take.admitted) return;
      await this.clock.sleep(take.waitMs);
    }
  }

  /** Holds the tenant's requests, on every instance, for `ms` (Graph answered 429). */
  pause(tenantId: string, ms: number): Promise<void> {
    return this.budgets.pause(budgetName(tenantId), ms);
  }

  /** How many more requests the tenant's budget would admit now. */
  headroom(tenantId: string): Promise<number> {
    return this.budgets.headroom(budgetName(tenantId), this.window);
  }

  /** The budget's size, for people ("N of 150 left"). */
  get limit(): number {
    return this.window.limit;
  }
}

const budgetName = (tenantId: string): string => `graph:${tenantId}`;
