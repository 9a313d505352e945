import { utc } from '../alerts/alert-views.js';
import type { CardColor } from '../cards/elements.js';
import type { ColoredLine, TenantStatusCardData } from '../cards/onboarding-cards.js';
import type { Clock } from '../clock.js';
import { cardReply, commandButton, type Reply } from '../chat/reply.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord, TenantStatus } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { checkAccess, type AccessCheck } from './access-check.js';
import type { AccessProbe } from './access-probe.js';
import { CHECKLIST } from './checklist.js';
import type { OnboardingRecords } from './onboarding-records.js';
import { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE, READ_ROLE, WRITE_ROLE, assessRoles } from './permissions.js';
import type { OnboardingRecord, RequestedAccess } from './store-schema.js';
import { accessGuideLine, knownDomain } from './views.js';

const STATUS: Readonly<Record<TenantStatus, { label: string; color: CardColor }>> = {
  'pending-consent': { label: 'Waiting for consent', color: 'warning' },
  connected: { label: 'Connected', color: 'good' },
  'needs-attention': { label: 'Needs attention', color: 'attention' },
  offboarded: { label: 'Offboarded', color: 'default' },
};

const CONSENT_LABEL: Readonly<Record<OnboardingRecord['consent']['state'], string>> = {
  waiting: 'consent card sent, no answer yet',
  declined: 'declined or failed',
  unverified: 'consent arrived, access not verified',
  connected: 'granted and verified',
  replaced: 'replaced by a newer card',
};

const PERMISSION_LABEL: Readonly<Record<string, string>> = { [READ_ROLE]: 'Read alerts', [WRITE_ROLE]: 'Change alerts', [INCIDENT_READ_ROLE]: 'Read incidents', [INCIDENT_WRITE_ROLE]: 'Change incidents' };

/** Graph's published budget for alerts (and so incidents, which share it), per app and tenant. */
const GRAPH_LIMIT_PER_MINUTE = 150;

type Section = TenantStatusCardData['sections'][number];

/**
 * `status <tenant>`: everything an analyst needs to see why a customer does (not) work — checked
 * live with a fresh token and a Graph call, next to what SOC Bridge recorded.
 */
export class TenantDiagnostics {
  constructor(
    private readonly deps: {
      records: OnboardingRecords;
      tenants: TenantRegistry;
      probe: AccessProbe;
      rateHeadroom: (tenantId: string) => Promise<number>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** `canSendConsent`: whether to offer the button that posts a consent card (the reader may use `consent`). */
  async status(ref: string, actor: Actor, canSendConsent: boolean): Promise<Reply> {
    const found = this.deps.tenants.resolve(ref, actor);
    const record = this.deps.records.get(found.tenantId);
    const requested: RequestedAccess = record?.requestedAccess ?? (found.writeAccess ? 'readwrite' : 'read');
    const check = found.status === 'offboarded' ? undefined : await checkAccess({ probe: this.deps.probe, tenant: found, requested, clock: this.deps.clock, logger: this.deps.logger });
    if (check) await this.record(found, check);
    const tenant = this.deps.tenants.find(found.tenantId) ?? found;
    const sections: Section[] = [
      this.customer(tenant, record, requested),
      this.consent(tenant, record),
      ...(check ? this.access(tenant, check, requested) : []),
      await this.health(tenant),
      this.guide(record),
    ];
    const needsConsent = tenant.status !== 'offboarded' && (!check?.ok || check.assessment.missing.length > 0);
    const data: TenantStatusCardData = {
      title: `Status: ${tenant.displayName} (${tenant.handle})`,
      statusLabel: STATUS[tenant.status].label,
      statusColor: STATUS[tenant.status].color,
      sections,
      buttons: [commandButton('Check again', `status ${tenant.handle}`), ...(needsConsent && canSendConsent ? [commandButton('Send a consent card here', `consent ${tenant.handle}`)] : [])],
    };
    const verdict = check ? (check.ok ? 'access verified' : `access check failed at ${check.stage}`) : 'offboarded';
    return cardReply('tenant-status', data, `${tenant.displayName}: ${STATUS[tenant.status].label}, ${verdict}`);
  }

  /** A live check is a call like any other: it keeps the tenant's health current. */
  private async record(tenant: TenantRecord, check: AccessCheck): Promise<void> {
    if (tenant.status !== 'connected' && tenant.status !== 'needs-attention') return;
    if (!check.ok) await this.deps.tenants.recordFailure(tenant.tenantId, check.failure);
    else if (tenant.lastError || tenant.status === 'needs-attention') await this.deps.tenants.recordSuccess(tenant.tenantId);
  }

  private customer(tenant: TenantRecord, record: OnboardingRecord | undefined, requested: RequestedAccess): Section {
    return {
      title: 'Customer',
      facts: [
        { title: 'Tenant id', value: tenant.tenantId },
        { title: 'Domain', value: knownDomain(tenant) ?? 'not known (onboarded by tenant id)' },
        { title: 'Access asked for', value: requested === 'readwrite' ? 'read and change alerts' : 'read alerts only' },
        { title: 'Analysts may change alerts', value: tenant.writeAccess ? 'yes' : 'no' },
        { title: 'Onboarded', value: record ? `by ${record.requestedBy.name}, ${utc(record.requestedAt)}` : 'set up outside the onboarding flow' },
        ...(record?.customerAdmin ? [{ title: 'Customer admin', value: record.customerAdmin.name }] : []),
      ],
      lines: [],
    };
  }

  private consent(tenant: TenantRecord, record: OnboardingRecord | undefined): Section {
    if (!record) return { title: 'Consent', facts: [{ title: 'Consent card', value: 'none sent through SOC Bridge' }], lines: [] };
    const link = record.link;
    const now = this.deps.clock.nowMs();
    const linkState = !link
      ? 'none'
      : link.usedAt
        ? `used ${utc(link.usedAt)}`
        : Date.parse(link.expiresAt) <= now
          ? `expired ${utc(link.expiresAt)}`
          : `works until ${utc(link.expiresAt)}`;
    const lines: ColoredLine[] = record.consent.detail ? [{ text: record.consent.detail, color: record.consent.state === 'connected' ? 'warning' : 'attention' }] : [];
    if (record.offboarded) lines.push({ text: `Offboarded by ${record.offboarded.by.name}, ${utc(record.offboarded.at)}.`, color: 'default' });
    return {
      title: 'Consent',
      facts: [
        { title: 'Latest card', value: `${CONSENT_LABEL[record.consent.state]}, ${utc(record.consent.at)}` },
        { title: 'Link', value: linkState },
        { title: 'Last granted', value: record.consent.grantedRoles ? record.consent.grantedRoles.join(', ') || 'no permissions' : 'not yet' },
      ],
      lines: tenant.status === 'pending-consent' && record.consent.state === 'waiting' ? [{ text: 'Waiting for the customer admin to click "Grant access" on the consent card.', color: 'warning' }, ...lines] : lines,
    };
  }

  private access(tenant: TenantRecord, check: AccessCheck, requested: RequestedAccess): Section[] {
    const pending = tenant.status === 'pending-consent';
    const tokenFact = check.ok || check.stage !== 'token' ? { title: 'Token', value: check.ok ? `issued for ${check.tokenTenantId}, valid until ${utc(new Date(check.expiresOnMs).toISOString())}` : 'issued' } : { title: 'Token', value: 'refused' };
    const graphFact = { title: 'Graph', value: check.ok ? 'reading alerts works' : check.stage === 'graph' ? 'refused' : 'not tried' };
    const problem: ColoredLine[] = check.ok ? [] : [{ text: check.message, color: pending ? 'warning' : 'attention' }];
    const assessment = check.ok ? check.assessment : check.assessment ?? (check.roles ? assessRoles(check.roles, requested, tenant.handle) : undefined);
    const permissions: Section = assessment
      ? {
          title: 'Permissions (granted vs needed)',
          // The permission's long name goes in the value, which wraps at its dots; a fact title would break it mid-word.
          facts: assessment.lines.map((l) => ({ title: PERMISSION_LABEL[l.role] ?? 'Permission', value: `${l.role}: ${l.granted ? 'granted' : 'not granted'}${l.needed ? ', needed' : ', not needed'}` })),
          lines: assessment.lines.filter((l) => l.note && (l.needed ? !l.granted : l.granted)).map((l) => ({ text: `${l.role}: ${l.note}`, color: l.needed ? 'attention' : 'warning' })),
        }
      : { title: 'Permissions (granted vs needed)', facts: [{ title: 'Granted', value: 'unknown: no token' }], lines: [] };
    return [{ title: 'Access check (just now)', facts: [tokenFact, graphFact], lines: problem }, permissions];
  }

  private async health(tenant: TenantRecord): Promise<Section> {
    const headroom = await this.deps.rateHeadroom(tenant.tenantId);
    return {
      title: 'Health',
      facts: [
        { title: 'Last poll', value: utc(tenant.lastPollAt) },
        { title: 'Last success', value: utc(tenant.lastSuccessAt) },
        { title: 'Last error', value: tenant.lastError ? `${utc(tenant.lastError.at)} (${tenant.lastError.code})` : 'none' },
        { title: 'Graph headroom', value: `${headroom} of ${GRAPH_LIMIT_PER_MINUTE} requests left this minute` },
      ],
      lines: tenant.lastError ? [{ text: tenant.lastError.message, color: 'attention' }] : [],
    };
  }

  private guide(record: OnboardingRecord | undefined): Section {
    const steps = record?.checklist.steps ?? {};
    return {
      title: 'Access guide',
      facts: [{ title: 'Progress', value: accessGuideLine(record) }],
      lines: record?.checklist.card
        ? CHECKLIST.map((step, i) => {
            const p = steps[step.id];
            const text = p?.doneAt
              ? `${i + 1}. ${step.title}: done by ${p.doneBy?.name ?? 'someone'}, ${utc(p.doneAt)}`
              : `${i + 1}. ${step.title}: ${p?.helpAt ? `help asked by ${p.helpBy?.name ?? 'someone'}, ${utc(p.helpAt)}` : step.optional ? 'optional, open' : 'open'}`;
            return { text, color: (p?.doneAt ? 'good' : p?.helpAt ? 'warning' : 'default') as CardColor };
          })
        : [],
    };
  }
}
