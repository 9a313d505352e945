import type { Clock } from '../clock.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord, TenantStatus } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { nearest } from '../text/nearest.js';
import { GUID_PATTERN as GUID } from '../text/ids.js';

export interface NewTenant {
  readonly handle: string;
  readonly displayName: string;
  readonly tenantId: string;
  readonly domain: string;
  readonly status: TenantStatus;
  readonly writeAccess: boolean;
}

/**
 * The customer tenants SOC Bridge serves. A tenant is named in commands by its handle, its
 * tenant id or its domain; a customer-admin only ever sees their own.
 */
export class TenantRegistry {
  private readonly attentionListeners: ((tenant: TenantRecord) => Promise<void> | void)[] = [];

  constructor(private readonly deps: { store: Store; clock: Clock; logger: Logger }) {}

  /**
   * Calls `listener` each time a connected tenant starts needing attention (consent revoked, a
   * permission removed), once per change rather than once per failed call. It runs in the
   * background: the failing call does not wait for it.
   */
  onNeedsAttention(listener: (tenant: TenantRecord) => Promise<void> | void): void {
    this.attentionListeners.push(listener);
  }

  /** Changes a tenant's lifecycle fields (onboarding: consent proven, offboarded, reopened). */
  async change(tenantId: string, patch: Partial<Pick<TenantRecord, 'status' | 'writeAccess' | 'displayName'>>): Promise<TenantRecord> {
    const now = this.deps.clock.now().toISOString();
    const updated = await this.deps.store.update((data) => {
      const t = data.tenants.find((x) => x.tenantId === tenantId);
      if (!t) throw new NotFoundError(`There is no customer tenant ${tenantId.slice(0, 80)}.`);
      Object.assign(t, patch, { updatedAt: now });
      if (patch.status === 'connected' || patch.status === 'pending-consent') delete t.lastError;
      return { ...t };
    });
    this.deps.logger.info({ event: 'tenant.changed', tenant: updated.handle, tenantId, ...patch }, 'tenant changed');
    return updated;
  }

  /** Every tenant ever added, offboarded ones included, by name (copies). */
  all(): TenantRecord[] {
    return this.deps.store
      .read()
      .tenants.map((t) => ({ ...t }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** Every tenant this actor may see, by name; offboarded ones only when asked for. */
  visibleTo(actor: Actor, { includeOffboarded = false } = {}): TenantRecord[] {
    return this.all()
      .filter((t) => includeOffboarded || t.status !== 'offboarded')
      .filter((t) => actor.role !== 'customer-admin' || matches(t, actor.tenant ?? ''));
  }

  /** Connected tenants, the ones alerts can be read from. */
  connected(): TenantRecord[] {
    return this.deps.store.read().tenants.filter((t) => t.status === 'connected' || t.status === 'needs-attention').map((t) => ({ ...t }));
  }

  find(ref: string): TenantRecord | undefined {
    const record = this.deps.store.read().tenants.find((t) => matches(t, ref));
    return record ? { ...record } : undefined;
  }

  /**
   * The tenant `ref` names, if this actor may see it. Unknown names get the nearest handle as a
   * hint; a customer-admin asking for another customer is told it does not exist (no probing).
   */
  resolve(ref: string, actor: Actor): TenantRecord {
    const visible = this.visibleTo(actor, { includeOffboarded: true });
    const found = visible.find((t) => matches(t, ref));
    if (found) return found;
    const hint = nearest(ref.toLowerCase(), visible.map((t) => t.handle));
    const known = visible.length > 0 ? ` Known tenants: ${visible.slice(0, 10).map((t) => t.handle).join(', ')}${visible.length > 10 ? ', …' : ''}.` : ' No customer tenants are set up yet.';
    throw new NotFoundError(`There is no customer tenant "${ref.slice(0, 80)}".${hint ? ` Did you mean "${hint}"?` : ''}${actor.role === 'customer-admin' ? '' : known}`);
  }

  /** Adds a tenant; the handle, tenant id and domain must all be unused. */
  async add(tenant: NewTenant): Promise<TenantRecord> {
    if (!GUID.test(tenant.tenantId)) throw new UsageError(`"${tenant.tenantId}" is not a tenant id (a GUID).`);
    const now = this.deps.clock.now().toISOString();
    const record: TenantRecord = { ...tenant, tenantId: tenant.tenantId.toLowerCase(), domain: tenant.domain.toLowerCase(), createdAt: now, updatedAt: now };
    await this.deps.store.update((data) => {
      const clash = data.tenants.find((t) => t.handle === record.handle || t.tenantId === record.tenantId || t.domain === record.domain);
      if (clash) throw new ConflictError(`The customer tenant ${clash.displayName} (${clash.handle}) already uses that handle, tenant id or domain.`);
      data.tenants.push(record);
    });
    this.deps.logger.info({ event: 'tenant.added', tenant: record.handle, tenantId: record.tenantId, status: record.status }, 'tenant added');
    return { ...record };
  }

  /** Records a successful call to the tenant; a tenant that needed attention is connected again. */
  async recordSuccess(tenantId: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.deps.store.update((data) => {
      const t = data.tenants.find((x) => x.tenantId === tenantId);
      if (!t) return;
      t.lastPollAt = now;
      t.lastSuccessAt = now;
      if (t.status === 'needs-attention') t.status = 'connected';
      delete t.lastError;
      t.updatedAt = now;
    });
  }

  /** Records a failure; `needsAttention` marks failures only a person can fix (consent, permissions). */
  async recordFailure(tenantId: string, failure: { code: string; message: string; needsAttention: boolean }): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const changed = await this.deps.store.update((data) => {
      const t = data.tenants.find((x) => x.tenantId === tenantId);
      if (!t) return false;
      const wasConnected = t.status === 'connected';
      t.lastPollAt = now;
      t.lastError = { code: failure.code, message: failure.message, at: now };
      if (failure.needsAttention && wasConnected) t.status = 'needs-attention';
      t.updatedAt = now;
      return wasConnected && t.status === 'needs-attention';
    });
    if (!changed) return;
    this.deps.logger.warn({ event: 'tenant.needs_attention', tenantId, code: failure.code }, 'tenant needs attention');
    const record = this.find(tenantId);
    if (!record) return;
    for (const listener of this.attentionListeners) {
      void Promise.resolve()
        .then(() => listener({ ...record }))
        .catch((error: unknown) => this.deps.logger.error({ event: 'tenant.attention_listener_failed', tenantId, err: error }, 'a needs-attention listener failed'));
    }
  }
}

/** Whether `ref` names this tenant: handle, tenant id or domain, case-insensitive. */
export function matches(tenant: TenantRecord, ref: string): boolean {
  const r = ref.trim().toLowerCase();
  return r !== '' && (tenant.handle === r || tenant.tenantId === r || tenant.domain === r);
}
