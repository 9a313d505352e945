import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEXT_LIMITS } from '../../src/cards/limits.js';
import { renderCard } from '../../src/cards/render.js';
import { renderAlertEmail } from '../../src/email/alert-email.js';
import { oneLine } from '../../src/email/message.js';
import { SmtpEmailSender } from '../../src/email/smtp-sender.js';
import { silentLogger } from '../../src/log.js';
import { notificationCard } from '../../src/alerts/notification-card.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { oversizedAlert } from '../helpers/oversized-alert.js';
import { TestSmtpServer, parseMail } from '../helpers/smtp.js';
import { TENANT_IDS, alertWith } from '../routing/world.js';

const CONTOSO: TenantRecord = {
  handle: 'contoso', displayName: 'Contoso Ltd', tenantId: TENANT_IDS.contoso, domain: 'contoso.example', status: 'connected', writeAccess: true,
  createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};
const ALL = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };

let smtp: TestSmtpServer;
let sender: SmtpEmailSender;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  sender = new SmtpEmailSender({ url: smtp.url(), from: 'SOC Bridge <soc-bridge@mssp.example>', clock: new ManualClock(), logger: silentLogger });
});
afterAll(async () => {
  sender.close();
  await smtp.close();
});

describe('the email of an oversized alert', () => {
  const alert = oversizedAlert(alertWith({ severity: 'high' }));

  it('is clipped like its card, and arrives at a real SMTP server at a sensible size', async () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'oncall@mssp.example', options: ALL });
    await sender.send(mail);
    await smtp.waitFor(1);
    const raw = smtp.received[0]!.raw;
    expect(raw.length).toBeLessThan(64 * 1024);
    const parsed = parseMail(raw);

    const card = notificationCard(CONTOSO, alert, ALL);
    expect(card.title.length).toBeLessThanOrEqual(TEXT_LIMITS.title);
    expect(card.title.endsWith('…')).toBe(true);
    expect(parsed.text).toContain(oneLine(card.title));
    expect(parsed.text).toContain(card.description.slice(0, 100));
    for (const fact of [...card.facts, ...card.details]) expect(parsed.text).toContain(`${fact.title}: ${oneLine(fact.value)}`);
    expect(parsed.text).toMatch(/Devices: .* and 395 more/);

    // The card says the same, within the same limits.
    const rendered = JSON.stringify(renderCard('alert-detail', card));
    expect(rendered).toContain(card.title.slice(0, 40));
    expect(rendered).not.toContain(alert.title.slice(0, TEXT_LIMITS.title + 10));
  });

  it('keeps its subject to one short line', () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'oncall@mssp.example', options: ALL });
    expect(mail.subject.length).toBeLessThanOrEqual(200);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});
