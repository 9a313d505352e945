import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmailDeliveryError, type OutgoingEmail } from '../../src/delivery/ports.js';
import { renderAlertEmail } from '../../src/email/alert-email.js';
import { SmtpEmailSender } from '../../src/email/smtp-sender.js';
import { silentLogger } from '../../src/log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { TestSmtpServer, parseMail } from '../helpers/smtp.js';
import { TENANT_IDS, alertWith } from '../routing/world.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';

const CONTOSO: TenantRecord = {
  handle: 'contoso', displayName: 'Contoso Ltd', tenantId: TENANT_IDS.contoso, domain: 'contoso.example', status: 'connected', writeAccess: true,
  createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};
const ALL = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };

let smtp: TestSmtpServer;
let sender: SmtpEmailSender;
const clock = new ManualClock();

beforeAll(async () => {
  smtp = await TestSmtpServer.start({ user: 'soc@mssp.example', pass: 'p@ss:word/1' });
  sender = new SmtpEmailSender({ url: smtp.url('soc%40mssp.example:p%40ss%3Aword%2F1'), from: 'SOC Bridge <soc-bridge@mssp.example>', clock, logger: silentLogger });
});
afterAll(async () => {
  sender.close();
  await smtp.close();
});

async function sendAndReceive(mail: OutgoingEmail) {
  const before = smtp.received.length;
  await sender.send(mail);
  await smtp.waitFor(before + 1);
  const received = smtp.received[before]!;
  return { received, parsed: parseMail(received.raw) };
}

describe('SmtpEmailSender over a real SMTP server', () => {
  it('delivers an alert email with its headers, text and HTML, over STARTTLS with the URL\'s credentials', async () => {
    const alert = alertWith({ severity: 'high', title: 'Ransomware behavior detected' });
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'oncall@mssp.example', options: ALL, ruleName: 'Contoso high' });
    const { received, parsed } = await sendAndReceive(mail);
    expect(received.secure).toBe(true);
    expect(smtp.logins.at(-1)).toEqual({ user: 'soc@mssp.example', pass: 'p@ss:word/1' });
    expect(received.from).toBe('soc-bridge@mssp.example');
    expect(received.to).toEqual(['oncall@mssp.example']);
    expect(parsed.header('from')).toBe('SOC Bridge <soc-bridge@mssp.example>');
    expect(parsed.header('to')).toBe('oncall@mssp.example');
    expect(parsed.header('subject')).toBe('High severity alert — Contoso Ltd: Ransomware behavior detected');
    expect(parsed.header('auto-submitted')).toBe('auto-generated');
    expect(parsed.header('date')).toBe('Thu, 26 Nov 2026 09:00:00 +0000');
    expect(parsed.header('content-type')).toMatch(/^multipart\/alternative/);
    const portal = `https://security.microsoft.com/alerts/${alert.id}?tid=${TENANT_IDS.contoso}`;
    expect(parsed.text).toContain('Organization: Contoso Ltd (contoso)');
    expect(parsed.text).toContain(`Open in Microsoft Defender: ${portal}`);
    expect(parsed.text).toContain('Device: pc-0.contoso.example, group Servers');
    expect(parsed.text).toContain('Sent by SOC Bridge because of the notification rule "Contoso high".');
    expect(parsed.html).toContain(`<a href="${portal}">Open in Microsoft Defender</a>`);
    expect(parsed.html).toContain('<h2 style="margin:8px 0;font-size:18px">Ransomware behavior detected</h2>');
    expect(parsed.html).toContain('pc-0.contoso.example, group Servers');
  });

  it('cannot be made to add headers or markup by a hostile alert title', async () => {
    const title = 'Invoice\r\nBcc: victim@evil.example\r\nX-Injected: yes\n<script>alert(1)</script><img src=x onerror=alert(2)> "q" & \'a\'';
    const mail = renderAlertEmail({ tenant: CONTOSO, alert: alertWith({ title, description: '</p><a href="https://evil.example">login</a>' }), to: 'oncall@mssp.example', options: ALL });
    const { received, parsed } = await sendAndReceive(mail);
    expect(received.to).toEqual(['oncall@mssp.example']);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.headers.get('subject')).toHaveLength(1);
    expect(parsed.header('subject')).toBe('Medium severity alert — Contoso Ltd: Invoice Bcc: victim@evil.example X-Injected: yes <script>alert(1)</script><img src=x onerror=alert(2)> "q" & \'a\'');
    expect(parsed.html).not.toMatch(/<script|<img|<a href="https:\/\/evil/i);
    expect(parsed.html).toContain('Invoice Bcc: victim@evil.example X-Injected: yes &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;q&quot; &amp; &#39;a&#39;');
    expect(parsed.html).toContain('&lt;/p&gt;&lt;a href=&quot;https://evil.example&quot;&gt;login&lt;/a&gt;');
    expect(parsed.text).toContain('\nInvoice Bcc: victim@evil.example X-Injected: yes <script>');
    expect(parsed.text).not.toMatch(/^Bcc:/m);
  });

  it('refuses a recipient that is not one plain address, without contacting the server', async () => {
    const before = smtp.received.length;
    const error = (await sender.send({ to: 'a@b.example\r\nBcc: c@d.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error.kind).toBe('rejected');
    expect(smtp.received.length).toBe(before);
  });

  it('classifies a 5xx refusal as rejected', async () => {
    const error = (await sender.send({ to: 'reject-550@mssp.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/refused the message \(550\)/);
  });

  it('classifies a 4xx answer as transient', async () => {
    const error = (await sender.send({ to: 'defer-451@mssp.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/deferred the message \(451\)/);
  });

  it('classifies wrong credentials (535) as rejected', async () => {
    const wrong = new SmtpEmailSender({ url: smtp.url('soc%40mssp.example:nope'), from: 'soc-bridge@mssp.example', clock, logger: silentLogger });
    try {
      const error = (await wrong.send({ to: 'a@mssp.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
      expect(error).toBeInstanceOf(EmailDeliveryError);
      expect(error.kind).toBe('rejected');
    } finally {
      wrong.close();
    }
  });

  it('classifies a server that does not answer as transient', async () => {
    const closed = await TestSmtpServer.start();
    const port = closed.port;
    await closed.close();
    const unreachable = new SmtpEmailSender({ url: `smtp://127.0.0.1:${port}`, from: 'soc-bridge@mssp.example', clock, logger: silentLogger, timeoutsMs: { connection: 1000, greeting: 1000, socket: 1000 } });
    try {
      const error = (await unreachable.send({ to: 'a@mssp.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
      expect(error).toBeInstanceOf(EmailDeliveryError);
      expect(error.kind).toBe('transient');
      expect(error.message).toMatch(/could not be reached/);
    } finally {
      unreachable.close();
    }
  });
});
