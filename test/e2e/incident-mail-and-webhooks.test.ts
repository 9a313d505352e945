import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { BotHarness, CUSTOMERS, USERS } from '../helpers/harness.js';
import { TestSmtpServer, parseMail, type ParsedMail } from '../helpers/smtp.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Incident-level messages for email and webhooks end to end (rules with `group:incident`): the real
 * poller against the Graph emulator, mail through a real SMTP server on loopback, signed events over
 * HTTPS to a local receiver. One mail thread per incident and address; incident events per endpoint.
 */

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const MAILBOX = 'soc@mssp.example';
const LEADS = 'leads@mssp.example';
const PATHS = { siem: '/siem', firsts: '/firsts' } as const;

let bot: BotHarness;
let smtp: TestSmtpServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  receiver = await WebhookReceiver.start();
  const env: Record<string, string> = { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', SMTP_URL: smtp.url(), MAIL_FROM: 'SOC Bridge <soc-bridge@mssp.example>' };
  for (const [name, path] of Object.entries(PATHS)) {
    env[`WEBHOOK_${name.toUpperCase()}_URL`] = receiver.url(path);
    env[`WEBHOOK_${name.toUpperCase()}_SECRET`] = `${name}-secret-for-tests-0123456789abcdef`;
  }
  bot = await BotHarness.start({ env });
  await bot.say(`rule add "Incident mail" tenants:contoso severity:any title:im- include:org,link to:${MAILBOX},webhook:siem`);
  await bot.say(`rule add "First of each" tenants:contoso severity:any title:im- notify:first to:${LEADS},webhook:firsts`);
  const rules = await bot.app.testing.rules();
  expect(rules.map((r) => [r.grouping, r.notify])).toEqual([['incident', 'every'], ['incident', 'first']]);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await smtp?.close();
  await receiver?.close();
});

let sequence = 0;
/** Raises an alert of incident `incidentId` in Contoso's emulated Defender, created and updated now. */
function raise(incidentId: string, severity: string): Alert {
  const now = new Date();
  const tag = `im-${++sequence}`;
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.com', orgName: 'Contoso Ltd' }, now, tag);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id: tag, title: `${base.title} (${tag})`, severity, status: 'new', assignedTo: null, incidentId, incidentWebUrl: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settle = (ms = 1000) => new Promise((resolve) => setTimeout(resolve, ms));

function mailsTo(address: string): ParsedMail[] {
  return smtp.received.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw));
}

interface IncidentEvent {
  event: string;
  eventId: string;
  tenant: { id: string; name: string | null };
  incident: { id: string; status: string; assignedTo: string | null; alerts: { id: string }[]; portalUrl: string | null };
  alert: { id: string } | null;
}
const eventsAt = (path: string, incidentId: string) => receiver.accepted<IncidentEvent>(path).filter((e) => e.incident?.id === incidentId);

const INCIDENT = '7800001';

describe('an incident whose alerts arrive over several polls, to email and a webhook', () => {
  const alerts: Alert[] = [];

  it('mails the first alert as the incident’s first mail, and sends incident.created', async () => {
    alerts.push(raise(INCIDENT, 'medium'));
    await until(() => mailsTo(MAILBOX).length === 1 && eventsAt(PATHS.siem, INCIDENT).length === 1, 'the first mail and event');
    const [mail] = mailsTo(MAILBOX);
    expect(mail!.header('subject')).toBe(`Incident 7800001 — Contoso Ltd: ${alerts[0]!.title}`);
    expect(mail!.header('message-id')).toMatch(/^<incident\.[0-9a-f]{32}@mssp\.example>$/);
    expect(mail!.header('in-reply-to')).toBeUndefined();
    expect(mail!.text).toContain(`Alert id: ${alerts[0]!.id}`);
    expect(mail!.text).toContain('later alerts of the incident arrive as replies to it');
    const [created] = eventsAt(PATHS.siem, INCIDENT);
    expect(created).toMatchObject({ event: 'incident.created', tenant: { id: CONTOSO_ID, name: 'Contoso Ltd' }, alert: { id: alerts[0]!.id }, incident: { id: INCIDENT, portalUrl: `https://security.microsoft.com/incidents/${INCIDENT}?tid=${CONTOSO_ID}` } });
    const request = receiver.at(PATHS.siem).find((r) => r.body.includes(created!.eventId))!;
    expect(request.headers['x-soc-bridge-event']).toBe('incident.created');
  });

  it('sends each later alert as a reply in the same mail thread and as incident.alert-added', async () => {
    for (const [n, severity] of [[2, 'high'], [3, 'low']] as const) {
      alerts.push(raise(INCIDENT, severity));
      await until(() => mailsTo(MAILBOX).length === n && eventsAt(PATHS.siem, INCIDENT).filter((e) => e.alert).length === n, `alert ${n} by mail and webhook`).catch((error: unknown) => {
        throw new Error(`${String(error)}: ${mailsTo(MAILBOX).length} mails, events ${JSON.stringify(eventsAt(PATHS.siem, INCIDENT).map((e) => [e.event, e.alert?.id]))}`);
      });
    }
    await settle();
    const [root, ...replies] = mailsTo(MAILBOX);
    const rootId = root!.header('message-id')!;
    expect(replies).toHaveLength(2);
    for (const [i, reply] of replies.entries()) {
      expect(reply.header('in-reply-to')).toBe(rootId);
      expect(reply.header('references')).toBe(rootId);
      expect(reply.header('message-id')).not.toBe(rootId);
      expect(reply.header('subject')).toBe(`Re: ${root!.header('subject')}`);
      expect(reply.text).toContain(`Alert id: ${alerts[i + 1]!.id}`);
      expect(reply.text).toContain(`An alert joined High severity incident ${INCIDENT}`);
      expect(reply.text).toContain(`alerts: ${i === 0 ? '2 (1 high, 1 medium)' : '3 (1 high, 1 medium, 1 low)'}`);
    }
    // An incident read after an event went out may follow as incident.updated; the alerts' events are these, in order.
    const events = eventsAt(PATHS.siem, INCIDENT).filter((e) => e.alert);
    expect(events.map((e) => [e.event, e.alert?.id])).toEqual([
      ['incident.created', alerts[0]!.id],
      ['incident.alert-added', alerts[1]!.id],
      ['incident.alert-added', alerts[2]!.id],
    ]);
    expect(events.at(-1)!.incident.alerts.map((a) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
  });

  it('sends only the first under notify:first: one mail, one event', async () => {
    await settle();
    expect(mailsTo(LEADS)).toHaveLength(1);
    expect(mailsTo(LEADS)[0]!.text).toContain('first alert of each incident only (notify:first)');
    expect(eventsAt(PATHS.firsts, INCIDENT).filter((e) => e.event !== 'incident.updated').map((e) => e.event)).toEqual(['incident.created']);
  });

  it('sends incident.updated to the webhooks when the incident changes, and mails nothing more', async () => {
    const mails = smtp.received.length;
    bot.graph.mutateIncident(CONTOSO_ID, INCIDENT, { assignedTo: USERS.analyst.email });
    await until(() => eventsAt(PATHS.siem, INCIDENT).some((e) => e.event === 'incident.updated' && e.incident.assignedTo === USERS.analyst.email), 'the update event');
    await until(() => eventsAt(PATHS.firsts, INCIDENT).some((e) => e.event === 'incident.updated' && e.incident.assignedTo === USERS.analyst.email), 'the update event under notify:first');
    const updated = eventsAt(PATHS.siem, INCIDENT).find((e) => e.event === 'incident.updated')!;
    expect(updated.alert).toBeNull();
    await settle();
    expect(smtp.received.length).toBe(mails);
    // A change to the incident alone (no alert changes) is read from the incidents changed since the last poll.
    bot.graph.mutateIncident(CONTOSO_ID, INCIDENT, { status: 'inProgress' });
    await until(() => eventsAt(PATHS.siem, INCIDENT).some((e) => e.event === 'incident.updated' && e.incident.status === 'inProgress'), 'the status-only update event');
    // Events are sent once each: no event id twice.
    const ids = receiver.accepted<IncidentEvent>(PATHS.siem).map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
