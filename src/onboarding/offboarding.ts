import { utc } from '../alerts/alert-views.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { OffboardCardData } from '../cards/onboarding-cards.js';
import type { Clock } from '../clock.js';
import { cardReply, notice, type Reply } from '../chat/reply.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { Actor } from '../roles/actor.js';
import type { RoleService } from '../roles/role-service.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantLifecycle } from '../tenants/tenant-lifecycle.js';
import { matches, type TenantRegistry } from '../tenants/tenant-registry.js';
import { actorRef, type OnboardingRecords } from './onboarding-records.js';
import { ONBOARDING_VERBS } from './verbs.js';

/**
 * `offboard <tenant>`: a confirmation card first; on confirm the tenant stops being served (no
 * polling, no channel links, its customer admins lose their role) while its audit trail and
 * onboarding history stay. The customer removes the app on their side; the card says how.
 */
export class Offboarding {
  constructor(
    private readonly deps: {
      records: OnboardingRecords;
      tenants: TenantRegistry;
      roles: RoleService;
      audit: AuditLog;
      lifecycle: TenantLifecycle;
      soc: SocNotifier;
      clientId: string;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** The confirmation card. */
  async ask(ref: string, actor: Actor): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(ref, actor);
    if (tenant.status === 'offboarded') return notice({ title: `${tenant.displayName} is already offboarded`, text: 'Nothing to do.' });
    const admins = this.customerAdmins(tenant);
    const entries = await this.deps.audit.countFor(tenant.tenantId);
    const actionData = { tenantId: tenant.tenantId };
    const data: OffboardCardData = {
      title: `Offboard ${tenant.displayName} (${tenant.handle})?`,
      titleColor: 'warning',
      lines: [
        `SOC Bridge stops reading this customer's alerts: no more polling, no more alert cards, and its channel links are removed.${tenant.status === 'pending-consent' ? ' Its consent link stops working.' : ''}`,
        admins.length ? `${admins.length} customer admin${admins.length === 1 ? '' : 's'} (${admins.join(', ')}) lose${admins.length === 1 ? 's' : ''} their SOC Bridge role.` : 'No one holds a customer-admin role for it.',
        `The audit trail (${entries} entr${entries === 1 ? 'y' : 'ies'}) and the onboarding history are kept.`,
        "SOC Bridge cannot remove itself from the customer's tenant: after this, the customer's admin deletes the enterprise app (the card that follows says how).",
      ],
      confirm: [{ title: 'Offboard', actionData: { verb: ONBOARDING_VERBS.offboardConfirm, ...actionData } }],
      cancel: [{ title: 'Cancel', actionData: { verb: ONBOARDING_VERBS.offboardCancel, ...actionData } }],
    };
    return cardReply('offboard', data, `Offboard ${tenant.displayName}?`);
  }

  async confirm(tenantId: string, actor: Actor): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(tenantId, actor);
    if (tenant.status === 'offboarded') return this.done(tenant, 'It was already offboarded; nothing was changed.', []);
    const at = this.deps.clock.now().toISOString();
    const offboarded = await this.deps.tenants.change(tenant.tenantId, { status: 'offboarded', writeAccess: false });
    if (this.deps.records.get(tenant.tenantId)) {
      await this.deps.records.update(tenant.tenantId, (r) => {
        r.offboarded = { by: actorRef(actor), at };
        delete r.link;
        this.deps.records.note(r, 'offboarded', actor.displayName, `was ${tenant.status}`);
      });
    }
    const revoked: string[] = [];
    for (const holder of this.deps.roles.list()) {
      if (holder.role !== 'customer-admin' || !holder.tenant || !matches(tenant, holder.tenant)) continue;
      await this.deps.roles.revoke({ userId: holder.userId, by: actor });
      revoked.push(holder.displayName ?? holder.userId);
    }
    const undone = await this.deps.lifecycle.offboarded(offboarded, actor);
    this.deps.logger.info({ event: 'onboarding.offboarded', tenant: tenant.handle, by: actor.userId, revoked: revoked.length }, 'tenant offboarded');
    await this.deps.soc.notify(notice({ title: `${tenant.displayName} was offboarded`, text: `By ${actor.displayName} at ${utc(at)}. Its audit trail is kept.` }), 'onboarding.offboarded');
    return this.done(
      offboarded,
      `Offboarded by ${actor.displayName} at ${utc(at)}. Polling stopped and its alerts are no longer posted; the audit trail is kept.`,
      [...undone, ...(revoked.length ? [`Customer-admin role removed from ${revoked.join(', ')}.`] : [])],
    );
  }

  cancel(tenantId: string, actor: Actor): Reply {
    const tenant = this.deps.tenants.resolve(tenantId, actor);
    return cardReply('offboard', { title: `${tenant.displayName} stays onboarded`, titleColor: 'default', lines: [`${actor.displayName} cancelled the offboarding; nothing was changed.`], confirm: [], cancel: [] }, 'Offboarding cancelled');
  }

  private done(tenant: TenantRecord, headline: string, extra: string[]): Reply {
    const data: OffboardCardData = {
      title: `${tenant.displayName} (${tenant.handle}) is offboarded`,
      titleColor: 'default',
      lines: [
        headline,
        ...extra,
        `To remove SOC Bridge from their tenant, an administrator of ${tenant.displayName} opens the Microsoft Entra admin center > Enterprise applications > All applications, searches for application id ${this.deps.clientId}, opens it and chooses Properties > Delete. That removes its consent and permissions at once.`,
        'If they gave the MSSP\'s analysts portal access, they also remove the MSSP access packages (Identity Governance > Entitlement management) and the guest accounts.',
      ],
      confirm: [],
      cancel: [],
    };
    return cardReply('offboard', data, `${tenant.displayName} offboarded`);
  }

  private customerAdmins(tenant: TenantRecord): string[] {
    return this.deps.roles
      .list()
      .filter((h) => h.role === 'customer-admin' && h.tenant !== undefined && matches(tenant, h.tenant))
      .map((h) => h.displayName ?? h.userId);
  }
}
