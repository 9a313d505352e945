import { describe, expect, it } from '@jest/globals';
import { alertEmailComposer, renderAlertEmail } from '../../src/email/alert-email.js';
import { notificationCard } from '../../src/alerts/notification-card.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { TENANT_IDS, alertWith } from '../routing/world.js';

const CONTOSO: TenantRecord = {
  handle: 'contoso', displayName: 'Contoso Ltd', tenantId: TENANT_IDS.contoso, domain: 'contoso.example', status: 'connected', writeAccess: true,
  createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};
const ALL = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };
const NONE = { includeOrgName: false, includePortalLink: false, includeDeviceInfo: false };
const alert = alertWith({
  severity: 'high',
  title: 'Ransomware behavior detected',
  comments: [{ comment: 'Isolating the device.', createdByDisplayName: 'Dana Kim', createdDateTime: '2026-11-26T09:10:00Z' }],
});
const PORTAL = `https://security.microsoft.com/alerts/${alert.id}?tid=${TENANT_IDS.contoso}`;
const INCIDENT = `https://security.microsoft.com/incidents/4321?tid=${TENANT_IDS.contoso}`;

describe('alert email', () => {
  it('carries the same content as the Teams card', () => {
    const card = notificationCard(CONTOSO, alert, ALL);
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'a@b.example', options: ALL });
    for (const fact of [...card.facts, ...card.details]) {
      expect(mail.text).toContain(`${fact.title}: ${fact.value}`);
      expect(mail.html).toContain(fact.value);
    }
    expect(mail.text).toContain(card.description);
    expect(mail.text).toContain('Dana Kim, 2026-11-26 09:10 UTC: Isolating the device.');
    expect(card.alertUrl).toBe(PORTAL);
    expect(card.incidentUrl).toBe(INCIDENT);
  });

  it('includes the organization name, the tenant-specific portal links and device information when asked', () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'a@b.example', options: ALL });
    expect(mail.subject).toBe('High severity alert — Contoso Ltd: Ransomware behavior detected');
    expect(mail.text).toContain('Organization: Contoso Ltd (contoso)');
    expect(mail.text).toContain(`Open in Microsoft Defender: ${PORTAL}`);
    expect(mail.text).toContain(`Incident: ${INCIDENT}`);
    expect(mail.text).toContain('Device: pc-0.contoso.example, group Servers');
    expect(mail.html).toContain(`href="${PORTAL}"`);
    expect(mail.html).toContain('Contoso Ltd (contoso)');
  });

  it('leaves each out when the rule does not include it', () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'a@b.example', options: NONE });
    expect(mail.subject).toBe('High severity alert: Ransomware behavior detected');
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain('Contoso Ltd');
      expect(body).not.toContain('security.microsoft.com');
      expect(body).not.toContain('pc-0.contoso.example');
    }
    expect(mail.text).toContain('Status: New');
  });

  it('marks a sample as a sample, in the subject and the body', () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert, to: 'a@b.example', options: ALL, extras: { sample: true, notices: [{ color: 'warning', text: 'SAMPLE — a test.' }] } });
    expect(mail.subject.startsWith('[SAMPLE] ')).toBe(true);
    expect(mail.text).toContain('SAMPLE — a test.');
    expect(mail.text).toContain('This is a sample, not a real Defender alert.');
    expect(mail.html).toContain('SAMPLE — a test.');
  });

  it('builds the portal link from the tenant record, not from what the alert says', () => {
    const spoofed = alertWith({ alertWebUrl: 'https://evil.example/alerts', id: 'a/../../x?y' });
    const mail = renderAlertEmail({ tenant: CONTOSO, alert: spoofed, to: 'a@b.example', options: ALL });
    expect(mail.text).not.toContain('evil.example');
    expect(mail.text).toContain(`https://security.microsoft.com/alerts/a%2F..%2F..%2Fx%3Fy?tid=${TENANT_IDS.contoso}`);
  });

  it('drops invisible control characters and bidirectional overrides', () => {
    const mail = renderAlertEmail({ tenant: CONTOSO, alert: alertWith({ title: 'invoice\u202Efdp.exe\u0000' }), to: 'a@b.example', options: ALL });
    expect(mail.subject).toBe('Medium severity alert — Contoso Ltd: invoice fdp.exe');
    expect(mail.html).not.toMatch(/[\u202e\u0000]/);
    expect(mail.text).not.toMatch(/[\u202e\u0000]/);
  });

  it('names the rule in the footer when delivery tells the composer which rule routed it', () => {
    const composer = alertEmailComposer((id) => (id === 'r7kq' ? 'Contoso high' : undefined));
    expect(composer.compose({ tenant: CONTOSO, alert, options: ALL, to: 'a@b.example', ruleId: 'r7kq' }).text).toContain('because of the notification rule "Contoso high"');
    expect(composer.compose({ tenant: CONTOSO, alert, options: ALL, to: 'a@b.example', ruleId: 'default' }).text).toContain('\nSent by SOC Bridge.\n');
    expect(composer.compose({ tenant: CONTOSO, alert, options: ALL, to: 'a@b.example' }).to).toBe('a@b.example');
  });
});
