import type { Collection } from '../store/storage.js';
import type { DeliveryTarget } from './ports.js';
import type { TargetStatus } from './status-schema.js';
import type { TargetHealthView } from './targets/target-kind.js';

/**
 * The published status of every target, read the same way on every instance. The instance running
 * delivery publishes what changed (`publish`) on a short beat; readers see it from their replica.
 */
export class TargetStatusBoard {
  constructor(
    private readonly statuses: Collection<TargetStatus>,
    private readonly keyOf: (target: DeliveryTarget) => string,
  ) {}

  /** When an alert last reached this target (`rule test` samples do not count), for `channels`. */
  lastDeliveryAt(target: DeliveryTarget): string | undefined {
    return this.statuses.get(this.keyOf(target))?.lastSentAt;
  }

  /** How a target is doing (failing since when, last success), for `rules` and `channels`. */
  targetHealth(target: DeliveryTarget): TargetHealthView | undefined {
    const status = this.statuses.get(this.keyOf(target));
    if (!status) return undefined;
    return { ...(status.failing ? { failing: status.failing } : {}), ...(status.lastSentAt ? { lastSentAt: status.lastSentAt } : {}) };
  }

  /** Stores the statuses that differ from the published ones; returns how many did. */
  async publish(current: readonly TargetStatus[]): Promise<number> {
    const changed = current.filter((status) => !sameStatus(this.statuses.get(status.targetKey), status));
    if (changed.length === 0) return 0;
    await this.statuses.write((draft) => {
      for (const status of changed) draft.put(status);
    });
    return changed.length;
  }
}

function sameStatus(a: TargetStatus | undefined, b: TargetStatus): boolean {
  return a !== undefined && a.lastSentAt === b.lastSentAt && a.failing?.reason === b.failing?.reason && a.failing?.at === b.failing?.at;
}
