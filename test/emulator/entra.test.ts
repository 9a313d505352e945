import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntraEmulator, GRAPH_DEFAULT_SCOPE } from '../../src/emulator/entra.js';
import { readEmulatorAccessToken } from '../../src/emulator/tokens.js';
import { CONTOSO, FABRIKAM, NORTHWIND, TEST_APP, TEST_ROLES, startTestEntra, testTls } from '../helpers/entra.js';
import { eventually } from '../helpers/eventually.js';
import { ManualClock } from '../helpers/manual-clock.js';

const CALLBACK = TEST_APP.redirectUris[0];

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function postToken(entra: EntraEmulator, tenant: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(`${entra.authorityHost}/${tenant}/oauth2/v2.0/token?client-request-id=6f0e4c1a-0000-4000-8000-00000000abcd`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const secretRequest = (overrides: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: TEST_APP.clientId,
  client_secret: TEST_APP.secret,
  scope: GRAPH_DEFAULT_SCOPE,
  ...overrides,
});

/** Asserts Entra's error body shape and returns it. */
function expectEntraError(answer: TokenAnswer, status: number, error: string, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body.error).toBe(error);
  expect(answer.body.error_codes).toEqual([code]);
  expect(String(answer.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(answer.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(answer.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.body.correlation_id).toBe('6f0e4c1a-0000-4000-8000-00000000abcd');
  expect(answer.body).not.toHaveProperty('access_token');
}

describe('Entra emulator: discovery and token endpoint', () => {
  let entra: EntraEmulator;
  beforeAll(async () => {
    entra = await startTestEntra();
  });
  afterAll(async () => {
    await entra.close();
  });

  it('serves OpenID configuration by domain, with the tenant GUID in absolute endpoints', async () => {
    const response = await fetch(`${entra.authorityHost}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    const body = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(200);
    expect(body.token_endpoint).toBe(`${entra.authorityHost}/${CONTOSO.tenantId}/oauth2/v2.0/token`);
    expect(body.authorization_endpoint).toBe(`${entra.authorityHost}/${CONTOSO.tenantId}/oauth2/v2.0/authorize`);
    expect(body.issuer).toBe(`${entra.authorityHost}/${CONTOSO.tenantId}/v2.0`);
    expect(body.jwks_uri).toBe(`${entra.authorityHost}/${CONTOSO.tenantId}/discovery/v2.0/keys`);
    expect(entra.discoveryRequests(CONTOSO.tenantId)).toBe(1);
  });

  it('answers discovery for an unknown tenant with the real AADSTS90002 body', async () => {
    const response = await fetch(`${entra.authorityHost}/nope.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(400);
    expect(body.error).toBe('invalid_tenant');
    expect(body.error_codes).toEqual([90002]);
    expect(String(body.error_description)).toMatch(/^AADSTS90002: Tenant 'nope.onmicrosoft.com' not found/);
  });

  it('issues a token whose claims carry tid, appid and the consented roles', async () => {
    const answer = await postToken(entra, 'contoso.com', secretRequest());
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const claims = readEmulatorAccessToken(String(answer.body.access_token));
    expect(claims).toMatchObject({ tid: CONTOSO.tenantId, appid: TEST_APP.clientId, roles: TEST_ROLES });
    expect(claims?.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it('accepts the client secret in HTTP Basic auth', async () => {
    const basic = Buffer.from(`${TEST_APP.clientId}:${encodeURIComponent(TEST_APP.secret)}`).toString('base64');
    const answer = await postToken(entra, FABRIKAM.tenantId, { grant_type: 'client_credentials', scope: GRAPH_DEFAULT_SCOPE }, { authorization: `Basic ${basic}` });
    expect(answer.status).toBe(200);
    expect(readEmulatorAccessToken(String(answer.body.access_token))?.tid).toBe(FABRIKAM.tenantId);
  });

  it('counts token requests per tenant, by GUID or domain alike', async () => {
    entra.resetCounters();
    await postToken(entra, FABRIKAM.tenantId, secretRequest());
    await postToken(entra, 'fabrikam.onmicrosoft.com', secretRequest());
    await postToken(entra, CONTOSO.tenantId, secretRequest());
    expect(entra.tokenRequests('fabrikam.onmicrosoft.com')).toBe(2);
    expect(entra.tokenRequests(CONTOSO.tenantId)).toBe(1);
    expect(entra.totalTokenRequests()).toBe(3);
  });

  it.each([
    ['an unknown tenant', 'nope.onmicrosoft.com', {}, 400, 'invalid_request', 90002],
    ['a tenant without consent', NORTHWIND.tenantId, {}, 400, 'unauthorized_client', 700016],
    ['an unknown client id', CONTOSO.tenantId, { client_id: '99999999-9999-4999-8999-999999999999' }, 400, 'unauthorized_client', 700016],
    ['a wrong secret', CONTOSO.tenantId, { client_secret: 'wrong' }, 401, 'invalid_client', 7000215],
    ['a scope other than Graph /.default', CONTOSO.tenantId, { scope: 'https://graph.microsoft.com/User.Read' }, 400, 'invalid_scope', 70011],
    ['/common', 'common', {}, 400, 'invalid_request', 9001023],
    ['/consumers', 'consumers', {}, 400, 'invalid_request', 9001023],
    ['another grant type', CONTOSO.tenantId, { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['a garbage client assertion', CONTOSO.tenantId, { client_secret: '', client_assertion: 'a.b.c', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }, 401, 'invalid_client', 700027],
  ] as const)('refuses %s', async (_name, tenant, overrides, status, error, code) => {
    const fields: Record<string, string> = secretRequest(overrides);
    if (fields.client_secret === '') delete fields.client_secret;
    expectEntraError(await postToken(entra, tenant, fields), status, error, code);
  });

  it('refuses a request with neither secret nor assertion (AADSTS7000218)', async () => {
    const { client_secret: _omitted, ...fields } = secretRequest();
    expectEntraError(await postToken(entra, CONTOSO.tenantId, fields), 401, 'invalid_client', 7000218);
  });

  it('produces conditional-access, expired-secret and consent-revoked refusals on demand', async () => {
    entra.setFaults(CONTOSO.tenantId, { conditionalAccessBlock: true });
    expectEntraError(await postToken(entra, CONTOSO.tenantId, secretRequest()), 400, 'invalid_grant', 53003);
    entra.setFaults(CONTOSO.tenantId, { conditionalAccessBlock: false, secretExpired: true });
    expectEntraError(await postToken(entra, CONTOSO.tenantId, secretRequest()), 401, 'invalid_client', 7000222);
    entra.clearFaults(CONTOSO.tenantId);
    entra.revokeConsent(CONTOSO.tenantId, TEST_APP.clientId);
    expect(entra.consentedRoles(CONTOSO.tenantId, TEST_APP.clientId)).toBeUndefined();
    expectEntraError(await postToken(entra, CONTOSO.tenantId, secretRequest()), 400, 'unauthorized_client', 700016);
    entra.grantConsent(CONTOSO.tenantId, TEST_APP.clientId, TEST_ROLES);
    expect((await postToken(entra, CONTOSO.tenantId, secretRequest())).status).toBe(200);
  });

  it('fails the next N token requests with temporarily_unavailable, then recovers', async () => {
    entra.setFaults(FABRIKAM.tenantId, { transientFailures: 2, transientStatus: 503, retryAfterMs: 5 });
    const first = await postToken(entra, FABRIKAM.tenantId, secretRequest());
    const second = await postToken(entra, FABRIKAM.tenantId, secretRequest());
    const third = await postToken(entra, FABRIKAM.tenantId, secretRequest());
    expectEntraError(first, 503, 'temporarily_unavailable', 90033);
    expect(first.headers.get('retry-after-ms')).toBe('5');
    expect(second.status).toBe(503);
    expect(third.status).toBe(200);
  });
});

describe('Entra emulator: slow responses', () => {
  it('holds a token answer for the configured delay on its clock', async () => {
    const clock = new ManualClock(Date.now());
    const entra = await startTestEntra({ clock });
    try {
      entra.setFaults(CONTOSO.tenantId, { delayMs: 5_000 });
      let settled = false;
      const answer = postToken(entra, CONTOSO.tenantId, secretRequest()).finally(() => {
        settled = true;
      });
      await eventually(() => clock.pendingSleepers === 1, 'the token request to sleep on the clock');
      expect(settled).toBe(false);
      await clock.advance(5_000);
      expect((await answer).status).toBe(200);
    } finally {
      await entra.close();
    }
  });
});

describe('Entra emulator: admin consent', () => {
  let entra: EntraEmulator;
  beforeAll(async () => {
    entra = await startTestEntra();
  });
  afterAll(async () => {
    await entra.close();
  });

  const consentUrl = (tenant: string, extra: Record<string, string> = {}) => {
    const url = new URL(entra.adminConsentUrl({ tenant, clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: 'st-123' }));
    for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
    return url;
  };

  /** Posts the consent form as the page's buttons would. */
  async function decide(url: URL, decision: string, extra: Record<string, string> = {}): Promise<Response> {
    const fields = new URLSearchParams(url.searchParams);
    fields.set('decision', decision);
    for (const [name, value] of Object.entries(extra)) fields.set(name, value);
    return fetch(`${url.origin}${url.pathname}`, { method: 'POST', body: fields, redirect: 'manual' });
  }

  it('shows the app, the permissions and Accept/Cancel buttons posting back the parameters', async () => {
    const response = await fetch(consentUrl(NORTHWIND.tenantId));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('SOC Bridge (test)');
    expect(html).toContain('Northwind Traders');
    for (const role of TEST_ROLES) expect(html).toContain(role);
    expect(html).toContain(`<form method="post" action="/${NORTHWIND.tenantId}/v2.0/adminconsent">`);
    expect(html).toContain(`<input type="hidden" name="client_id" value="${TEST_APP.clientId}">`);
    expect(html).toContain('<input type="hidden" name="state" value="st-123">');
    expect(html).toContain('<button type="submit" name="decision" value="accept">Accept</button>');
    expect(html).toContain('<button type="submit" name="decision" value="cancel">Cancel</button>');
  });

  it('on Accept grants the app roles and redirects with admin_consent, tenant GUID, scope and state', async () => {
    const tenant = 'consent-accept.onmicrosoft.com';
    entra.addTenant({ tenantId: '44444444-4444-4444-8444-444444444444', domains: [tenant], displayName: 'Accept Co' });
    const response = await decide(consentUrl(tenant), 'accept');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      admin_consent: 'True',
      tenant: '44444444-4444-4444-8444-444444444444',
      scope: GRAPH_DEFAULT_SCOPE,
      state: 'st-123',
    });
    expect(entra.consentedRoles(tenant, TEST_APP.clientId)).toEqual(TEST_ROLES);
    const token = await postToken(entra, tenant, secretRequest());
    expect(readEmulatorAccessToken(String(token.body.access_token))?.roles).toEqual(TEST_ROLES);
  });

  it('grants the roles the app registration configures', async () => {
    const clientId = 'aaaaaaaa-0000-4000-8000-000000000001';
    entra.registerApp({ clientId, redirectUris: [CALLBACK], consentRoles: ['SecurityIncident.Read.All'] });
    const url = new URL(entra.adminConsentUrl({ tenant: NORTHWIND.tenantId, clientId, redirectUri: CALLBACK }));
    expect((await decide(url, 'accept')).status).toBe(302);
    expect(entra.consentedRoles(NORTHWIND.tenantId, clientId)).toEqual(['SecurityIncident.Read.All']);
  });

  it('on Cancel redirects with access_denied and AADSTS65004, granting nothing', async () => {
    const tenant = '55555555-5555-4555-8555-555555555555';
    entra.addTenant({ tenantId: tenant, domains: [], displayName: 'Cancel Co' });
    const response = await decide(consentUrl(tenant), 'cancel');
    expect(response.status).toBe(302);
    const params = Object.fromEntries(new URL(response.headers.get('location') ?? '').searchParams);
    expect(params).toEqual({
      admin_consent: 'True',
      error: 'access_denied',
      error_subcode: 'cancel',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
      state: 'st-123',
    });
    expect(entra.consentedRoles(tenant, TEST_APP.clientId)).toBeUndefined();
  });

  it('lets an admin from the organizations endpoint pick the tenant', async () => {
    const tenant = '66666666-6666-4666-8666-666666666666';
    entra.addTenant({ tenantId: tenant, domains: [], displayName: 'Orgs Co' });
    const page = await (await fetch(consentUrl('organizations'))).text();
    expect(page).toContain(`<option value="${tenant}">Orgs Co</option>`);
    const response = await decide(consentUrl('organizations'), 'accept', { signin_tenant: tenant });
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('tenant')).toBe(tenant);
  });

  it.each([
    ['/common', () => consentUrl('common'), 90130],
    ['an unknown tenant', () => consentUrl('nope.onmicrosoft.com'), 90002],
    ['an unknown client id', () => consentUrl(NORTHWIND.tenantId, { client_id: '99999999-9999-4999-8999-999999999999' }), 700016],
    ['an unregistered redirect_uri', () => consentUrl(NORTHWIND.tenantId, { redirect_uri: 'https://evil.example/steal' }), 50011],
  ])('refuses %s with an error page and no redirect', async (_name, url, code) => {
    for (const response of [await fetch(url(), { redirect: 'manual' }), await decide(url(), 'accept')]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain(`AADSTS${code}:`);
    }
  });

  it('never grants consent through a tampered redirect_uri', async () => {
    const tenant = '77777777-7777-4777-8777-777777777777';
    entra.addTenant({ tenantId: tenant, domains: [], displayName: 'Tamper Co' });
    const response = await decide(consentUrl(tenant), 'accept', { redirect_uri: 'https://evil.example/steal' });
    expect(response.status).toBe(400);
    expect(entra.consentedRoles(tenant, TEST_APP.clientId)).toBeUndefined();
  });

  it('escapes a hostile state, app name and tenant name in the page', async () => {
    const hostile = '"><script>alert(1)</script>';
    const clientId = 'bbbbbbbb-0000-4000-8000-000000000002';
    entra.registerApp({ clientId, displayName: `<img src=x onerror=alert(2)>`, redirectUris: [CALLBACK] });
    entra.addTenant({ tenantId: '88888888-8888-4888-8888-888888888888', domains: [], displayName: `Evil & <b>Co</b>` });
    const url = new URL(entra.adminConsentUrl({ tenant: '88888888-8888-4888-8888-888888888888', clientId, redirectUri: CALLBACK, state: hostile }));
    const html = await (await fetch(url)).text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>Co</b>');
    expect(html).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(html).toContain('&#60;img src=x onerror=alert(2)&#62;');
    expect(html).toContain('Evil &#38; &#60;b&#62;Co&#60;/b&#62;');
  });

  it('echoes a hostile state back on the redirect unchanged, as Entra does', async () => {
    const hostile = '"><script>alert(1)</script>&x=1';
    const url = new URL(entra.adminConsentUrl({ tenant: NORTHWIND.tenantId, clientId: TEST_APP.clientId, redirectUri: CALLBACK, state: hostile }));
    const response = await decide(url, 'cancel');
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('state')).toBe(hostile);
  });
});

describe('Entra emulator: lifecycle', () => {
  it('closes and frees its port', async () => {
    const entra = await EntraEmulator.start({ tls: testTls() });
    const host = entra.authorityHost;
    await entra.close();
    await expect(fetch(`${host}/common/v2.0/.well-known/openid-configuration`)).rejects.toThrow();
    expect(() => entra.authorityHost).toThrow(/not running/);
  });
});
