import { utc } from '../alerts/alert-views.js';
import type { CardColor } from '../cards/elements.js';
import type { ChecklistCardData, ColoredLine, ConsentCardData } from '../cards/onboarding-cards.js';
import { commandButton } from '../chat/reply.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { CHECKLIST, type StepContext } from './checklist.js';
import { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE, listRoles, PERMISSION_PURPOSE, READ_ROLE, WRITE_ROLE } from './permissions.js';
import type { OnboardingRecord } from './store-schema.js';
import { ONBOARDING_VERBS } from './verbs.js';

/** The domain to show and link with; a tenant onboarded by id has only its id in that field. */
export function knownDomain(tenant: TenantRecord): string | undefined {
  return tenant.domain && tenant.domain !== tenant.tenantId ? tenant.domain : undefined;
}

export function stepContext(tenant: TenantRecord, record: OnboardingRecord): StepContext {
  return { tenantId: tenant.tenantId, domain: knownDomain(tenant), msspTenantId: record.msspTenantId };
}

/** The consent card in the state the record is in; `grantUrl` only while the link works (waiting, or after a refusal). */
export function consentCard(args: { tenant: TenantRecord; record: OnboardingRecord; clientId: string; grantUrl: string | undefined }): ConsentCardData {
  const { tenant, record, clientId } = args;
  const org = tenant.displayName;
  const write = record.requestedAccess === 'readwrite';
  const domain = knownDomain(tenant);
  // A refusal does not use the link up (anyone holding it could send one), so it still works after one.
  const linkOpen = record.consent.state === 'waiting' || record.consent.state === 'declined';
  const asker = `${record.requestedBy.name} of your managed security provider's SOC`;
  const app = `the SOC Bridge app (application id ${clientId})`;
  return {
    title: linkOpen ? `${org}: grant the SOC access to your Microsoft Defender alerts` : `${org}: the SOC's access to your Microsoft Defender alerts`,
    subtitle: `Tenant ${tenant.tenantId}${domain ? ` (${domain})` : ''} · requested by ${record.requestedBy.name}${record.customerAdmin ? ` for ${record.customerAdmin.name}` : ''}`,
    // How to grant is said only while the link works; afterwards the outcome above says what happened.
    ask: linkOpen
      ? `${asker} asks an administrator of ${org} (Global Administrator or Privileged Role Administrator) to consent to ${app}. "Grant access" opens Microsoft's consent page for your tenant; when you have decided, you come back to a SOC Bridge page and this card shows the result.`
      : `${asker} asked an administrator of ${org} to consent to ${app}.`,
    termsVisible: linkOpen,
    permissions: [
      { title: READ_ROLE, value: `Requested, to ${PERMISSION_PURPOSE[READ_ROLE]}.` },
      { title: WRITE_ROLE, value: write ? `Requested, to ${PERMISSION_PURPOSE[WRITE_ROLE]}.` : 'Not requested: this customer chose read only.' },
      { title: INCIDENT_READ_ROLE, value: `Requested, to ${PERMISSION_PURPOSE[INCIDENT_READ_ROLE]}.` },
      { title: INCIDENT_WRITE_ROLE, value: write ? `Requested, to ${PERMISSION_PURPOSE[INCIDENT_WRITE_ROLE]}.` : 'Not requested: this customer chose read only.' },
    ],
    accessNote: write
      ? 'Defender records each change as made by the SOC Bridge application; comments are signed "Analyst name (via SOC Bridge)", and SOC Bridge\'s audit trail names the analyst behind every change.'
      : `Read only: SOC Bridge will not change your alerts or incidents. Microsoft's page lists every permission the app is registered with, which may include ${WRITE_ROLE} and ${INCIDENT_WRITE_ROLE}; you may remove them after consenting (Enterprise applications > SOC Bridge > Permissions).`,
    will: `SOC Bridge will: read your Defender alerts and incidents through Microsoft Graph and show them to the SOC in Teams${write ? '; let analysts assign, set status, classify and comment on alerts and incidents, and tag incidents' : ''}.`,
    willNot: 'SOC Bridge will not: read mail, files or user profiles; change devices, policies, users or anything other than alerts and incidents; sign in as any of your users. You can withdraw consent at any time by deleting the SOC Bridge enterprise application.',
    validity: linkOpen && record.link ? `This link works once, until ${utc(record.link.expiresAt)}. Only an administrator of ${org} can use it.` : '',
    outcome: consentOutcome(tenant, record),
    grantUrl: linkOpen ? (args.grantUrl ?? '') : '',
    recheck: record.consent.state === 'unverified' ? [{ title: 'Check again', actionData: { verb: ONBOARDING_VERBS.consentRefresh, tenantId: tenant.tenantId } }] : [],
    buttons: record.consent.state === 'declined' || record.consent.state === 'unverified' ? [commandButton('Send a new link', `consent ${tenant.handle}`)] : [],
  };
}

function consentOutcome(tenant: TenantRecord, record: OnboardingRecord): ColoredLine[] {
  const { consent } = record;
  const detail = consent.detail ? `: ${consent.detail}` : '';
  switch (consent.state) {
    case 'waiting':
      return [{ text: `Waiting for an administrator of ${tenant.displayName} to grant access.`, color: 'warning' }];
    case 'declined':
      return [{ text: `Declined or failed at ${utc(consent.at)}${detail}`, color: 'attention' }];
    case 'unverified':
      return [{ text: `Consent arrived at ${utc(consent.at)}, but SOC Bridge could not verify access${detail}`, color: 'attention' }];
    case 'replaced':
      return [{ text: `Replaced by a newer consent card at ${utc(consent.at)}: this link no longer works.`, color: 'default' }];
    case 'connected':
      return [
        { text: `Connected by an administrator of ${tenant.displayName} at ${utc(consent.at)}, permissions: ${listRoles(consent.grantedRoles ?? [])}.`, color: 'good' },
        ...(consent.detail ? [{ text: consent.detail, color: 'warning' as CardColor }] : []),
      ];
  }
}

/** How far the customer is with the access-grant guide. */
export function checklistProgress(record: OnboardingRecord | undefined): { done: number; total: number; requiredOpen: string[] } {
  const steps = record?.checklist.steps ?? {};
  const done = CHECKLIST.filter((s) => steps[s.id]?.doneAt).length;
  const requiredOpen = CHECKLIST.filter((s) => !s.optional && !steps[s.id]?.doneAt).map((s) => s.title);
  return { done, total: CHECKLIST.length, requiredOpen };
}

/** One line for `tenants`: where the customer is with the access-grant guide. */
export function accessGuideLine(record: OnboardingRecord | undefined): string {
  if (!record) return 'not onboarded through SOC Bridge';
  if (record.offboarded) return '—';
  if (!record.checklist.card && record.consent.state !== 'connected') return 'starts after consent';
  const { done, total, requiredOpen } = checklistProgress(record);
  return `${done} of ${total} steps done${requiredOpen.length === 0 ? ' (all required steps)' : ''}`;
}

export function checklistCard(args: { tenant: TenantRecord; record: OnboardingRecord; notices?: ColoredLine[] }): ChecklistCardData {
  const { tenant, record } = args;
  const ctx = stepContext(tenant, record);
  const { done, total, requiredOpen } = checklistProgress(record);
  const next = CHECKLIST.find((s) => !record.checklist.steps[s.id]?.doneAt);
  return {
    title: `${tenant.displayName}: give the SOC's analysts access to your Defender portal`,
    summary: `${done} of ${total} steps done${requiredOpen.length === 0 ? ' — every required step is done' : ''}`,
    intro:
      'SOC Bridge can now read your alerts. These steps let the MSSP\'s analysts work in your Defender portal too, as guests with roles you control. Click a step to see how; Done records it for everyone here, Need help tells the SOC.',
    notices: args.notices ?? [],
    steps: CHECKLIST.map((step, index) => {
      const progress = record.checklist.steps[step.id] ?? {};
      const link = step.link(ctx);
      const actionData = { tenantId: tenant.tenantId, step: step.id };
      const state: { status: string; statusColor: CardColor; progress: string } = progress.doneAt
        ? { status: 'Done', statusColor: 'good', progress: `Done by ${progress.doneBy?.name ?? 'someone'}, ${utc(progress.doneAt)}.` }
        : progress.helpAt
          ? { status: 'Help asked', statusColor: 'warning', progress: `Help asked by ${progress.helpBy?.name ?? 'someone'}, ${utc(progress.helpAt)}.` }
          : { status: step.optional ? 'Optional' : 'To do', statusColor: 'default', progress: '' };
      return {
        heading: `${index + 1}. ${step.title}`,
        toggleId: `step-${step.id}`,
        // Only the next step to do is open; the others open on a click.
        expanded: step.id === next?.id,
        howTo: step.howTo(ctx),
        ...state,
        linkTitle: link?.title ?? '',
        linkUrl: link?.url ?? '',
        done: progress.doneAt ? [] : [{ title: 'Done', actionData: { verb: ONBOARDING_VERBS.checklistDone, ...actionData } }],
        help: progress.doneAt ? [] : [{ title: 'Need help', actionData: { verb: ONBOARDING_VERBS.checklistHelp, ...actionData } }],
      };
    }),
  };
}
