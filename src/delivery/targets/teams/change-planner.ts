import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import { alertKeyOf, type DeliveryLedger } from '../../ledger.js';
import { markBehind, type DeliveryRecord } from '../../store-schema.js';
import { digestItemOf } from './cards.js';

/** Work for the Teams side, started once the records it needs are on disk (as DeliveryWork: `action` and `ref`). */
export type TeamsWork = { kind: 'post'; key: string } | { kind: 'edit-card'; key: string } | { kind: 'edit-digest'; id: string };

/**
 * What a changed alert means for the Teams cards it became: an edit, a fresh card where Teams gave
 * no id, or a digest row. Plans are recorded in the ledger first; the work is dispatched after.
 */
export class ChangePlanner {
  constructor(private readonly deps: { ledger: DeliveryLedger; tenants: { find(ref: string): TenantRecord | undefined } }) {}

  /**
   * The alert behind `alertKey` has a newer version (or a new mark) in the ledger: decide what each
   * card it became needs and record it. Returns the work to dispatch once those records are on disk.
   */
  planChange(alertKey: string): TeamsWork[] {
    const { ledger } = this.deps;
    const snapshot = ledger.snapshot(alertKey);
    if (!snapshot) return [];
    const hasBody = ledger.alertBody(alertKey) !== undefined;
    const work: TeamsWork[] = [];
    for (const d of ledger.deliveriesOf(alertKey)) {
      if (d.target.kind !== 'teams') continue;
      if (followsChanges(d) && (d.shownVersion !== snapshot.version || markBehind(d))) work.push({ kind: 'edit-card', key: d.key });
      else if (d.state === 'sent-no-id' && d.shownVersion !== snapshot.version) {
        // No id to edit: the current state goes out as a fresh card.
        ledger.updateDelivery(d.key, { state: 'pending', attempts: 0 });
        work.push({ kind: 'post', key: d.key });
      } else if (d.state === 'digested' && d.digestId && hasBody) {
        work.push(...this.changeDigestRow(d));
      }
    }
    return work;
  }

  /** Whether a posted card shows an older version (or mark) than the ledger holds, with the body to edit it to. */
  cardBehind(d: DeliveryRecord): boolean {
    if (!followsChanges(d)) return false;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    const snapshot = this.deps.ledger.snapshot(alertKey);
    return snapshot !== undefined && (snapshot.version !== d.shownVersion || markBehind(d)) && this.deps.ledger.alertBody(alertKey) !== undefined;
  }

  private changeDigestRow(d: DeliveryRecord): TeamsWork[] {
    const { ledger } = this.deps;
    const alert = ledger.alertBody(alertKeyOf(d.tenantId, d.alertId));
    const digest = d.digestId ? ledger.digest(d.digestId) : undefined;
    const tenant = this.deps.tenants.find(d.tenantId);
    if (!alert || !digest || !tenant) return [];
    if (digest.state === 'sent-no-id') {
      ledger.updateDelivery(d.key, { state: 'pending', attempts: 0, digestId: undefined });
      return [{ kind: 'post', key: d.key }];
    }
    const item = digestItemOf(d.key, tenant, alert, d.options);
    const items = digest.items.map((i) => (i.deliveryKey === d.key ? item : i));
    ledger.putDigest({ ...digest, items, revision: digest.revision + 1, updatedAt: ledger.now() });
    return digest.state === 'sent' ? [{ kind: 'edit-digest', id: digest.id }] : [];
  }
}

/** A posted card with an id follows its alert's changes (edited in place); samples never change. */
export function followsChanges(d: DeliveryRecord): boolean {
  return d.target.kind === 'teams' && d.state === 'sent' && d.messageId !== undefined && d.cardGone !== true && !d.sample;
}
