import type { AlertDetailCardData } from '../cards/catalog.js';
import type { CardColor } from '../cards/elements.js';
import type { Alert } from '../defender/alert.js';
import type { OutgoingEmail } from '../delivery/ports.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import { notificationCard, type NotificationExtras } from '../alerts/notification-card.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { oneLine } from './message.js';

export interface AlertEmailArgs {
  readonly tenant: TenantRecord;
  readonly alert: Alert;
  readonly to: string;
  readonly options: ContentOptions;
  /** The rule that sent it, named in the footer. */
  readonly ruleName?: string;
  readonly extras?: NotificationExtras;
}

const COLORS: Readonly<Record<CardColor, string>> = { attention: '#a4262c', warning: '#8a5a00', good: '#107c10', accent: '#0f6cbd', emphasis: '#605e5c', default: '#323130' };

/**
 * An alert as an email: subject, plain text and HTML with the content of its Teams card
 * (`notificationCard`), trimmed by the rule's options. Every value from the tenant is escaped in
 * the HTML, and single-line values stay single lines in the text.
 */
export function renderAlertEmail(args: AlertEmailArgs): OutgoingEmail {
  const card = notificationCard(args.tenant, args.alert, args.options, args.extras);
  const sample = args.extras?.sample === true;
  const subject = oneLine(`${sample ? '[SAMPLE] ' : ''}${card.severityLabel} severity alert${card.customer ? ` — ${args.tenant.displayName}` : ''}: ${card.title}`).slice(0, 200);
  const footer = `Sent by SOC Bridge${args.ruleName ? ` because of the notification rule "${oneLine(args.ruleName)}"` : ''}.${sample ? ' This is a sample, not a real Defender alert.' : ''}`;
  return { to: args.to, subject, text: textOf(card, footer), html: htmlOf(card, subject, footer) };
}

/** What the email target hands the composer for one mail. */
export interface ComposeInput {
  readonly tenant: TenantRecord;
  readonly alert: Alert;
  readonly options: ContentOptions;
  readonly to: string;
  /** The rule that routed it; its name goes in the footer. */
  readonly ruleId?: string;
  readonly extras?: NotificationExtras;
}

/** The email composer delivery uses: renders alert emails, naming the rule when it is known. */
export function alertEmailComposer(ruleName: (ruleId: string) => string | undefined = () => undefined): { compose(input: ComposeInput): OutgoingEmail } {
  return {
    compose: ({ ruleId, ...input }) => {
      const name = ruleId ? ruleName(ruleId) : undefined;
      return renderAlertEmail({ ...input, ...(name ? { ruleName: name } : {}) });
    },
  };
}

function textOf(card: AlertDetailCardData, footer: string): string {
  const lines: string[] = [];
  lines.push(`${oneLine(card.severityLabel)} severity`, oneLine(card.title));
  if (card.customer) lines.push(`Organization: ${oneLine(card.customer)}`);
  for (const notice of card.notices) lines.push('', oneLine(notice.text));
  lines.push('');
  for (const fact of card.facts) lines.push(`${fact.title}: ${oneLine(fact.value)}`);
  if (card.commandLine) lines.push('', 'Command line:', oneLine(card.commandLine));
  if (card.description) lines.push('', 'Description:', multiLine(card.description));
  if (card.details.length) {
    lines.push('');
    for (const item of card.details) lines.push(`${item.title}: ${oneLine(item.value)}`);
  }
  if (card.comments.length) {
    lines.push('', 'Recent comments:');
    for (const comment of card.comments) lines.push(`- ${oneLine(comment)}`);
  }
  if (card.alertUrl) lines.push('', `Open in Microsoft Defender: ${card.alertUrl}`);
  if (card.incidentUrl) lines.push(`Incident: ${card.incidentUrl}`);
  lines.push('', '--', footer);
  return `${lines.join('\n')}\n`;
}

function htmlOf(card: AlertDetailCardData, subject: string, footer: string): string {
  const rows = (items: { title: string; value: string }[]) =>
    items.map((f) => `<tr><td style="padding:2px 12px 2px 0;color:#605e5c;vertical-align:top">${escapeHtml(f.title)}</td><td style="padding:2px 0">${escapeHtml(f.value)}</td></tr>`).join('');
  const links = [
    card.alertUrl ? `<a href="${escapeHtml(card.alertUrl)}">Open in Microsoft Defender</a>` : '',
    card.incidentUrl ? `<a href="${escapeHtml(card.incidentUrl)}">Incident</a>` : '',
  ].filter(Boolean);
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="color-scheme" content="light">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:\'Segoe UI\',Arial,sans-serif;font-size:14px;color:#323130;margin:0;padding:16px">',
    `<p style="margin:0;font-weight:bold;color:${COLORS[card.severityColor]}">${escapeHtml(card.severityLabel)} severity</p>`,
    card.customer ? `<p style="margin:4px 0 0;color:#605e5c">${escapeHtml(card.customer)}</p>` : '',
    `<h2 style="margin:8px 0;font-size:18px">${escapeHtml(card.title)}</h2>`,
    ...card.notices.map((n) => `<p style="margin:8px 0;padding:8px;border-left:4px solid ${COLORS[n.color]};background:#faf9f8">${escapeHtml(n.text)}</p>`),
    `<table role="presentation" style="border-collapse:collapse;margin:8px 0">${rows(card.facts)}</table>`,
    card.commandLine ? `<p style="margin:8px 0 2px;font-weight:bold">Command line</p><pre style="margin:0;padding:8px;background:#f3f2f1;white-space:pre-wrap;word-break:break-all">${escapeHtml(card.commandLine)}</pre>` : '',
    card.description ? `<p style="margin:8px 0;white-space:pre-wrap">${escapeHtml(card.description)}</p>` : '',
    card.details.length ? `<table role="presentation" style="border-collapse:collapse;margin:8px 0;border-top:1px solid #edebe9">${rows(card.details)}</table>` : '',
    card.comments.length ? `<p style="margin:8px 0 2px;font-weight:bold">Recent comments</p><ul style="margin:0;padding-left:20px;color:#605e5c">${card.comments.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>` : '',
    links.length ? `<p style="margin:12px 0">${links.join(' &middot; ')}</p>` : '',
    `<p style="margin:16px 0 0;font-size:12px;color:#8a8886">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Control characters (but line breaks and tabs) and bidirectional overrides cannot disguise anything. */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** Text as HTML: the five special characters escaped, invisible controls dropped. */
export function escapeHtml(text: string): string {
  return text.replace(INVISIBLE, '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

function multiLine(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '');
}
