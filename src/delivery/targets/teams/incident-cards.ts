import type { ContentOptions } from '../../../alerts/notification-card.js';
import { severityLabel } from '../../../alerts/alert-views.js';
import { cardReply, type Reply } from '../../../chat/reply.js';
import type { Incident } from '../../../defender/incident.js';
import { incidentDetailCard } from '../../../incidents/incident-views.js';
import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import type { IncidentThread } from '../../store-schema.js';

/** How a thread's later alerts reach the conversation, as its incident card says. */
export type ThreadStyle = 'replies' | 'listed' | 'first-only';

const STYLE_NOTES: Readonly<Record<ThreadStyle, string>> = {
  replies: 'Alerts that join this incident later arrive as replies in this thread; this card follows the incident.',
  listed: 'Alerts that join this incident later are added to this card, which follows the incident.',
  'first-only': 'This rule sends the first alert of each incident only (notify:first); this card follows the incident and lists the alerts that join it.',
};

/** The style a thread has in a conversation with or without threads. */
export function threadStyle(thread: Pick<IncidentThread, 'notify'>, conversationHasThreads: boolean): ThreadStyle {
  if (thread.notify === 'first') return 'first-only';
  return conversationHasThreads ? 'replies' : 'listed';
}

/**
 * The card at the root of an incident thread: the incident card `incident` shows (with its
 * action buttons where analysts may change it), and a line saying where later alerts go.
 */
export function threadIncidentCard(tenant: TenantRecord, incident: Incident, args: { writable: boolean; style: ThreadStyle; options: ContentOptions }): Reply {
  const data = incidentDetailCard(tenant, incident, { writable: args.writable, notices: [{ color: 'default', text: STYLE_NOTES[args.style] }] });
  const customer = args.options.includeOrgName ? ` · ${tenant.displayName}` : '';
  const count = incident.alerts?.length ?? 0;
  return cardReply('incident-detail', data, `${severityLabel(incident.severity)} incident${customer}: ${incident.displayName || incident.id} (${count} alert${count === 1 ? '' : 's'})`);
}
