import type { Clock } from '../clock.js';
import type { DeliveryError } from '../errors.js';

/** Where one delivery stands, as `rule test` reports it. */
export type DeliveryOutcome =
  | { readonly status: 'sent' }
  /** Given up (`failed`), or the place is gone (`gone`); `failure` is what the target last said. */
  | { readonly status: 'failed' | 'gone'; readonly reason: string; readonly failure?: DeliveryError }
  /** Not settled within the wait: still being retried (`failure`: the last attempt's answer), or still queued. */
  | { readonly status: 'trying'; readonly failure?: DeliveryError };

/**
 * Workers post here when a delivery is settled or being retried; `rule test` waits here for its
 * samples. Only deliveries someone waits for are remembered, so posting costs nothing otherwise.
 */
export class OutcomeBoard {
  private readonly waiting = new Map<string, { settle(outcome: DeliveryOutcome): void; lastFailure?: DeliveryError }>();

  constructor(private readonly clock: Clock) {}

  /** The delivery reached its end: sent, given up or gone. */
  settled(key: string, outcome: Exclude<DeliveryOutcome, { status: 'trying' }>): void {
    this.waiting.get(key)?.settle(outcome);
  }

  /** An attempt failed and will be retried. */
  retrying(key: string, failure: DeliveryError): void {
    const waiter = this.waiting.get(key);
    if (waiter) waiter.lastFailure = failure;
  }

  /**
   * Each delivery's outcome, waiting at most `ms` (on the clock) for all of them; those not settled
   * by then are `trying`. Call it before the deliveries can settle (right after recording them).
   */
  async waitFor(keys: readonly string[], ms: number): Promise<Map<string, DeliveryOutcome>> {
    const outcomes = new Map<string, DeliveryOutcome>();
    const settledAll = Promise.all(
      keys.map(
        (key) =>
          new Promise<void>((resolve) => {
            this.waiting.set(key, {
              settle: (outcome) => {
                outcomes.set(key, outcome);
                resolve();
              },
            });
          }),
      ),
    );
    await Promise.race([settledAll, this.clock.sleep(ms)]);
    for (const key of keys) {
      const waiter = this.waiting.get(key);
      this.waiting.delete(key);
      if (!outcomes.has(key)) outcomes.set(key, waiter?.lastFailure ? { status: 'trying', failure: waiter.lastFailure } : { status: 'trying' });
    }
    return outcomes;
  }
}
