import type { AuditEntry } from '../audit/audit-schema.js';
import { ACTION_NAMES } from './alert-actions.js';

/**
 * When each alert was first acknowledged in Teams, by the audit trail: the first change made
 * through SOC Bridge that gave it an owner or moved it out of "new" (assign, or a status set to in
 * progress or resolved; resolving an unowned alert also assigns it). Refused and failed attempts
 * acknowledge nothing.
 */
export function firstAcknowledgements(entries: readonly AuditEntry[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const entry of entries) {
    if (entry.outcome !== 'done' || !acknowledges(entry)) continue;
    const at = Date.parse(entry.at);
    const known = first.get(entry.alertId);
    if (known === undefined || at < known) first.set(entry.alertId, at);
  }
  return first;
}

function acknowledges(entry: AuditEntry): boolean {
  if (entry.action === ACTION_NAMES['alert.assign']) return true;
  return entry.action === ACTION_NAMES['alert.status'] && (entry.after.status === 'inProgress' || entry.after.status === 'resolved');
}
