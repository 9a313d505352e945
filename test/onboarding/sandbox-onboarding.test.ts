import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig, PLAYGROUND_USER_OBJECT_ID } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { STATE_SECRET_FILE } from '../../src/onboarding/state-secret.js';
import { PENDING_DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';
import { testTls } from '../helpers/tls.js';

const PUBLIC = 'http://sandbox.test';
let app: RunningApp;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-onboarding-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '0', PUBLIC_BASE_URL: PUBLIC });
  app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
});
afterAll(async () => {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('onboarding in sandbox mode', () => {
  const tailspin = PENDING_DEMO_CUSTOMERS[0]!;

  it('serves a fourth demo customer that has not consented yet', async () => {
    expect(app.sandbox?.entra.findTenant(tailspin.domain)?.tenantId).toBe(tailspin.tenantId);
    expect(app.sandbox?.entra.consentedRoles(tailspin.tenantId, app.sandbox.endpoints.credentials.clientId)).toBeUndefined();
    expect(await app.testing.tenant(tailspin.domain)).toBeUndefined();
    expect(existsSync(join(dataDir, STATE_SECRET_FILE))).toBe(true);
  });

  it('goes from onboard to connected through the emulated consent page', async () => {
    const actor = { userId: PLAYGROUND_USER_OBJECT_ID, displayName: 'Alex Wilber', role: 'admin' as const, bootstrap: true };
    const reply = await app.services.onboarding.flow.onboard(
      { tenantRef: tailspin.domain, displayName: tailspin.orgName, access: 'readwrite' },
      actor,
      { conversationId: 'not-a-known-conversation' },
    );
    if (reply.kind !== 'card' || reply.card !== 'consent') throw new Error('expected the consent card as the reply');
    const grant = new URL(reply.data.grantUrl);
    expect(grant.origin).toBe(app.sandbox?.entra.authorityHost);
    expect(grant.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/auth/consent/callback`);

    const form = new URLSearchParams(grant.search);
    form.set('decision', 'accept');
    const answer = await fetch(new URL(grant.pathname, grant), { method: 'POST', body: form, redirect: 'manual' });
    const location = new URL(answer.headers.get('location') ?? '');
    expect(location.origin).toBe(PUBLIC);
    const page = await fetch(`${app.url}${location.pathname}${location.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SOC Bridge is connected to Tailspin Toys');

    const tenant = (await app.testing.tenant('tailspin-toys'))!;
    expect(tenant).toMatchObject({ status: 'connected', writeAccess: true });
    const listing = await app.services.alerts.list({ tenants: [tenant], filter: { statuses: [] }, top: 50 });
    expect(listing.failures).toEqual([]);
    expect(listing.items).toHaveLength(tailspin.backlog);
  });

  it('keeps the onboarded customer working after a restart', async () => {
    await app.stop();
    const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '0', PUBLIC_BASE_URL: PUBLIC });
    app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
    const tenant = (await app.testing.tenant('tailspin-toys'))!;
    expect(tenant.status).toBe('connected');
    const listing = await app.services.alerts.list({ tenants: [tenant], filter: { statuses: [] }, top: 5 });
    expect(listing.failures).toEqual([]);
    expect(listing.items).toHaveLength(5);
  });
});
