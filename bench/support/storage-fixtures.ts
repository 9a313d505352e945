/**
 * Realistic stored state for the storage benchmark, built with the capabilities' own schemas and
 * code: tenants and roles as their collections hold them, delivery records and alert snapshots as
 * the DeliveryLedger and its journal write them, audit entries as alert actions append them.
 */
import { AuditLog, type NewAuditEntry } from '../../src/audit/audit-log.js';
import { alertKeyOf, DELIVERY_RECORD_SET, DeliveryLedger, deliveryKeyOf } from '../../src/delivery/ledger.js';
import type { DeliveryTarget } from '../../src/delivery/ports.js';
import { ALERT_TEMPLATES } from '../../src/emulator/demo-catalog.js';
import { silentLogger } from '../../src/log.js';
import { ROLE_ASSIGNMENTS, RoleAssignmentSchema, type RoleAssignment } from '../../src/roles/role-schema.js';
import { DEFAULT_RULE_ID } from '../../src/routing/matcher.js';
import type { Storage } from '../../src/store/storage.js';
import { TENANTS, TenantRecordSchema, type TenantRecord } from '../../src/tenants/tenant-schema.js';
import { benchTenants } from './delivery-kit.js';
import { VirtualClock } from './virtual-clock.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The stored history reaches back this far: 100,000 delivery records are about four days of a 500-customer MSSP. */
const HISTORY_MS = 4 * DAY;
/** Each alert goes to its customer's channel and to the SOC's shared channel. */
export const TARGETS_PER_ALERT = 2;
/** Alerts are spread over the history as if this many were stored (so 1,000 records are the oldest of them). */
const HISTORY_ALERTS = 50_000;
/** Alerts (and their records) written per journal batch while seeding. */
const SEED_BATCH_ALERTS = 1_000;
/** Audit appends in flight at once while seeding. */
const SEED_AUDIT_WIDTH = 8;

const ANALYSTS = Array.from({ length: 20 }, (_, i) => ({ id: guid(0xa000 + i), name: `Analyst ${i + 1}`, upn: `analyst${i + 1}@mssp.example` }));
const SOC_CHANNEL = `19:${hex(0x50c, 32)}@thread.tacv2`;
const SOC_RULE_ID = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const OPTIONS = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function guid(n: number): string {
  return `${hex(n, 8)}-0000-4000-8000-${hex(n, 12)}`;
}

/** Graph's timestamps carry seven fractional digits. */
function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '0000Z');
}

/** The 500 customers, as the tenants collection holds them. */
export function tenantRecords(count: number, nowMs: number): TenantRecord[] {
  return benchTenants(count, 0, 'cust').map((t) =>
    TenantRecordSchema.parse({
      handle: t.handle,
      displayName: t.orgName,
      tenantId: t.tenantId,
      domain: t.domain,
      status: 'connected',
      writeAccess: true,
      createdAt: new Date(nowMs - 30 * DAY).toISOString(),
      updatedAt: new Date(nowMs - DAY).toISOString(),
      lastPollAt: new Date(nowMs - 10_000).toISOString(),
      lastSuccessAt: new Date(nowMs - 10_000).toISOString(),
    }),
  );
}

/** The SOC's analysts plus one admin, as the roles collection holds them. */
export function roleAssignments(nowMs: number): RoleAssignment[] {
  const admin = { userId: guid(0xad00), role: 'admin', displayName: 'SOC Lead', grantedBy: 'SOC_ADMIN_IDS', grantedAt: new Date(nowMs - 30 * DAY).toISOString() };
  const analysts = ANALYSTS.map((a) => ({ userId: a.id, role: 'analyst', displayName: a.name, grantedBy: admin.userId, grantedAt: new Date(nowMs - 20 * DAY).toISOString() }));
  return [admin, ...analysts].map((r) => RoleAssignmentSchema.parse(r));
}

/** Stores the tenants and roles (one collection write each). */
export async function seedCollections(storage: Storage, tenants: readonly TenantRecord[], nowMs: number): Promise<void> {
  await storage.collection(TENANTS).write((draft) => tenants.forEach((t) => draft.put(t)));
  await storage.collection(ROLE_ASSIGNMENTS).write((draft) => roleAssignments(nowMs).forEach((r) => draft.put(r)));
}

/** The identity of stored alert `i`: its tenant, Defender-for-Endpoint-style id and times. */
function historyAlert(i: number, tenants: readonly TenantRecord[], nowMs: number) {
  const tenant = tenants[i % tenants.length]!;
  const createdMs = nowMs - HISTORY_MS + Math.floor((i * HISTORY_MS) / HISTORY_ALERTS);
  const alertId = `da6385500${String(i).padStart(9, '0')}_${i % 2 ? '-' : ''}${1_000_000_000 + ((i * 7919) % 1_000_000_000)}`;
  return { tenant, alertId, createdMs, title: ALERT_TEMPLATES[i % ALERT_TEMPLATES.length]!.title };
}

function channelOf(tenantIndex: number): string {
  return `19:${hex(0xc0000 + tenantIndex, 32)}@thread.tacv2`;
}

/**
 * Stores alerts `from`…`to - 1` of the history the way delivery does: for each, an outbox record
 * per target (pending, then sent with the card's message id) and the alert's snapshot (its body
 * already released, as once every card is posted), written through the journal in batches.
 */
export async function seedDeliveries(storage: Storage, tenants: readonly TenantRecord[], nowMs: number, from: number, to: number): Promise<void> {
  const clock = new VirtualClock(nowMs);
  const ledger = new DeliveryLedger({ records: storage.recordSet(DELIVERY_RECORD_SET), polls: { notePolls: async () => {} }, clock, logger: silentLogger, followsChanges: () => true });
  await ledger.load();
  for (let i = from; i < to; i++) {
    const { tenant, alertId, createdMs } = historyAlert(i, tenants, nowMs);
    if (i === from || i % SEED_BATCH_ALERTS === 0) {
      // As a poll does: the batch's alerts are read from the store before they are judged.
      const end = Math.min(to, (Math.floor(i / SEED_BATCH_ALERTS) + 1) * SEED_BATCH_ALERTS);
      const batch = Array.from({ length: end - i }, (_, n) => historyAlert(i + n, tenants, nowMs));
      await ledger.hydrate(batch.map((a) => alertKeyOf(a.tenant.tenantId, a.alertId)));
    }
    const tenantIndex = i % tenants.length;
    const seenMs = createdMs + 20_000;
    clock.set(seenMs);
    const targets: { target: DeliveryTarget; ruleId: string }[] = [
      { target: { kind: 'teams', conversationId: channelOf(tenantIndex) }, ruleId: DEFAULT_RULE_ID },
      { target: { kind: 'teams', conversationId: SOC_CHANNEL }, ruleId: SOC_RULE_ID },
    ];
    const now = ledger.now();
    for (const { target, ruleId } of targets) {
      const key = deliveryKeyOf(tenant.tenantId, alertId, `teams:${target.conversationId}`);
      ledger.addDelivery({ key, tenantId: tenant.tenantId, alertId, target, ruleId, options: OPTIONS, state: 'pending', seq: ledger.nextSeq(), attempts: 0, createdAt: now, updatedAt: now });
    }
    ledger.putSnapshot({ tenantId: tenant.tenantId, alertId, version: graphTime(createdMs), createdDateTime: graphTime(createdMs), firstSeenAt: now, updatedAt: now });
    clock.set(seenMs + 1_500);
    for (const { target } of targets) {
      const key = deliveryKeyOf(tenant.tenantId, alertId, `teams:${target.conversationId}`);
      ledger.updateDelivery(key, { state: 'sent', messageId: String(seenMs + 1_500), shownVersion: graphTime(createdMs), sentAt: ledger.now(), attempts: 1, error: undefined });
    }
    if ((i + 1) % SEED_BATCH_ALERTS === 0) {
      await ledger.journal.flush();
      ledger.evictIdle();
    }
  }
  await ledger.journal.close();
}

/** An audit entry as an analyst's card click appends it (assigning or resolving alert `i`). */
export function auditEntryFor(i: number, tenants: readonly TenantRecord[], nowMs: number): NewAuditEntry {
  const { tenant, alertId, title } = historyAlert(i, tenants, nowMs);
  const analyst = ANALYSTS[i % ANALYSTS.length]!;
  const resolve = i % 3 === 2;
  return {
    actorId: analyst.id,
    actorName: analyst.name,
    tenantId: tenant.tenantId,
    tenantHandle: tenant.handle,
    alertId,
    alertTitle: title,
    action: resolve ? 'set status' : 'assign',
    before: resolve ? { status: 'inProgress', assignedTo: analyst.upn } : { status: 'new', assignedTo: null },
    after: resolve ? { status: 'resolved', assignedTo: analyst.upn } : { status: 'inProgress', assignedTo: analyst.upn },
    outcome: 'done',
  };
}

/** Appends audit entries `from`…`to - 1`, a few in flight at once, through the audit log. */
export async function seedAudit(storage: Storage, tenants: readonly TenantRecord[], nowMs: number, from: number, to: number): Promise<void> {
  const clock = new VirtualClock(nowMs);
  const audit = new AuditLog({ storage, clock });
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      clock.set(nowMs - HISTORY_MS + Math.floor((i * HISTORY_MS) / (HISTORY_ALERTS * TARGETS_PER_ALERT)));
      await audit.append(auditEntryFor(i, tenants, nowMs));
    }
  };
  await Promise.all(Array.from({ length: SEED_AUDIT_WIDTH }, worker));
}

/** The user whose role the measured "audited change" flips between analyst and viewer. */
export const FLIPPED_USER = { userId: ANALYSTS[0]!.id, displayName: ANALYSTS[0]!.name };

/** The customer of stored alert `i` (whose audit entries a measured query asks for). */
export function tenantOfAlert(i: number, tenants: readonly TenantRecord[], nowMs: number): TenantRecord {
  return historyAlert(i, tenants, nowMs).tenant;
}
