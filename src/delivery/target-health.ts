import type { DeliveryLedger } from './ledger.js';
import type { TargetHealth } from './store-schema.js';

/**
 * The health of targets that exist by configuration (webhook endpoints): failing since when and
 * why, and when something last got through. Kept in the ledger, so a restart remembers that the SOC
 * was already told.
 */
export class TargetHealthBook {
  constructor(private readonly ledger: DeliveryLedger) {}

  of(targetKey: string): TargetHealth | undefined {
    return this.ledger.targetHealth(targetKey);
  }

  /**
   * Something got through: the target works (again). A `rule test` sample proves that too, but is
   * not a delivery (`delivered: false`), so the last delivery stays as it was.
   */
  succeeded(targetKey: string, delivered: boolean): void {
    const { failing: _failing, ...rest } = this.ledger.targetHealth(targetKey) ?? { key: targetKey };
    this.ledger.putTargetHealth({ ...rest, ...(delivered ? { lastSentAt: this.ledger.now() } : {}) });
  }

  /** The target refused for good; returns true when it was working until now (tell the SOC once). */
  failed(targetKey: string, reason: string): boolean {
    const current = this.ledger.targetHealth(targetKey) ?? { key: targetKey };
    if (current.failing) return false;
    this.ledger.putTargetHealth({ ...current, failing: { reason: reason.slice(0, 300), at: this.ledger.now() } });
    return true;
  }
}
