import { createHash } from 'node:crypto';
import { severityLabel } from '../alerts/alert-views.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import type { Alert } from '../defender/alert.js';
import type { Incident } from '../defender/incident.js';
import type { OutgoingEmail } from '../delivery/ports.js';
import { alertCountLine, incidentStatusLabel } from '../incidents/incident-views.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { renderAlertEmail } from './alert-email.js';
import { oneLine } from './message.js';

/** What the email target hands the composer for one incident mail (rules with `group:incident`). */
export interface IncidentComposeInput {
  /** `incident.created`: the incident's first mail, with its first alert; `incident.alert-added`: a later alert, as a reply to it. */
  readonly event: 'incident.created' | 'incident.alert-added';
  readonly tenant: TenantRecord;
  readonly incident: Incident;
  readonly alert: Alert;
  readonly options: ContentOptions;
  readonly to: string;
  /** The incident thread: the first mail's Message-ID is made of it, so every reply can name it. */
  readonly threadKey: string;
  /** `first`: no later alert follows the first mail (`notify:first`). */
  readonly notify: 'first' | 'every';
  readonly ruleId?: string;
}

/**
 * The Message-ID of an incident's first mail to one address: made of the thread's key alone, so it
 * is the same on every attempt and after a restart, and replies name it without storing it.
 */
export function incidentMessageId(threadKey: string, domain: string): string {
  return `<incident.${createHash('sha256').update(threadKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** The domain of a sender address (`SOC Bridge <soc@mssp.example>` → `mssp.example`), for Message-IDs. */
export function messageIdDomainOf(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1];
  return domain ? domain.toLowerCase() : 'soc-bridge.invalid';
}

/**
 * An incident as mail, one thread per incident and address: the first mail's subject names the
 * incident and it carries the incident's summary above its first alert; each later alert is a
 * reply to it (`In-Reply-To` and `References` name the first mail's Message-ID, the subject is
 * the same after "Re: "), so mail clients show the incident as one conversation. The summary
 * (severity, name, status, owner, alerts) is the incident's as last read.
 */
export function renderIncidentEmail(input: IncidentComposeInput & { ruleName?: string; domain: string }): OutgoingEmail {
  const { tenant, incident, alert, options } = input;
  const root = incidentMessageId(input.threadKey, input.domain);
  const customer = options.includeOrgName ? ` — ${tenant.displayName}` : '';
  const alerts = incident.alerts?.length ? incident.alerts : [alert];
  // Defender renames incidents as alerts join: the subject names the incident by its id and first alert, the same on every mail of the thread.
  const firstAlert = alerts.reduce((a, b) => (Date.parse(b.createdDateTime) < Date.parse(a.createdDateTime) ? b : a));
  const subject = oneLine(`Incident ${incident.id}${customer}: ${firstAlert.title}`).slice(0, 200);
  const name = incident.displayName ? `"${oneLine(incident.displayName)}", ` : '';
  const summary = `${severityLabel(incident.severity)} severity incident ${incident.id} (${name}${incidentStatusLabel(incident.status)}, assigned to ${incident.assignedTo || 'nobody'}; alerts: ${alertCountLine(alerts)})`;
  const first = input.event === 'incident.created';
  const notices = first
    ? [{ color: 'accent' as const, text: `${summary}. ${input.notify === 'first' ? 'Its first alert is below; this rule mails the first alert of each incident only (notify:first).' : "This mail starts the incident's thread: its first alert is below, and later alerts of the incident arrive as replies to it."}` }]
    : [{ color: 'accent' as const, text: `An alert joined ${summary}.` }];
  const mail = renderAlertEmail({ tenant, alert, to: input.to, options, ...(input.ruleName ? { ruleName: input.ruleName } : {}), extras: { notices } });
  return {
    ...mail,
    subject: first ? subject : `Re: ${subject}`,
    thread: first ? { messageId: root } : { messageId: `<alert.${createHash('sha256').update(`${input.threadKey}\n${alert.id}`).digest('hex').slice(0, 32)}@${input.domain}>`, inReplyTo: root },
  };
}

/** The incident composer delivery uses: names the rule when it is known, Message-IDs under the sender's domain. */
export function incidentEmailComposer(from: string, ruleName: (ruleId: string) => string | undefined = () => undefined): { composeIncident(input: IncidentComposeInput): OutgoingEmail } {
  const domain = messageIdDomainOf(from);
  return {
    composeIncident: ({ ruleId, ...input }) => {
      const name = ruleId ? ruleName(ruleId) : undefined;
      return renderIncidentEmail({ ...input, domain, ...(name ? { ruleName: name } : {}) });
    },
  };
}
