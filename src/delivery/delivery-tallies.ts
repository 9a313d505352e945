import type { DeliveryRecord } from './store-schema.js';

/**
 * What the ledger counts over every stored delivery, whether it holds the record in memory or
 * not: deliveries by target kind and state (for metrics), and when something last reached each
 * target (for `channels` and `rules`). Kept up to date with every change the ledger makes.
 */
export class DeliveryTallies {
  private readonly byKindAndState = new Map<string, number>();
  /** When something last reached each target (`kind:…`), samples aside. */
  readonly lastSent = new Map<string, string>();

  /** Adds `by` (1 or -1) deliveries of this kind and state. */
  count(d: Pick<DeliveryRecord, 'target' | 'state'>, by: number): void {
    const key = `${d.target.kind}\n${d.state}`;
    const count = (this.byKindAndState.get(key) ?? 0) + by;
    if (count > 0) this.byKindAndState.set(key, count);
    else this.byKindAndState.delete(key);
  }

  counts(): { kind: string; state: DeliveryRecord['state']; count: number }[] {
    return [...this.byKindAndState].map(([key, count]) => {
      const [kind = '', state] = key.split('\n');
      return { kind, state: state as DeliveryRecord['state'], count };
    });
  }

  noteSent(targetKey: string, at: string): void {
    const last = this.lastSent.get(targetKey);
    if (last === undefined || at > last) this.lastSent.set(targetKey, at);
  }
}
