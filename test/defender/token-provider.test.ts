import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generate } from 'selfsigned';
import { EntraError, audienceOf, toEntraFailure } from '../../src/defender/entra-errors.js';
import { createGraphTokenProvider, type GraphTokenProvider } from '../../src/defender/token-provider.js';
import type { EntraEmulator } from '../../src/emulator/entra.js';
import { ExternalRejectedError, ExternalUnreachableError } from '../../src/errors.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { CONTOSO, FABRIKAM, NORTHWIND, TEST_APP, TEST_ROLES, startTestEntra } from '../helpers/entra.js';

const secretProvider = (entra: EntraEmulator, overrides: { secret?: string; logger?: Logger; timeoutMs?: number } = {}): GraphTokenProvider =>
  createGraphTokenProvider({
    credentials: { kind: 'secret', clientId: TEST_APP.clientId, secret: overrides.secret ?? TEST_APP.secret },
    authorityHost: entra.authorityHost,
    logger: overrides.logger ?? silentLogger,
    timeoutMs: overrides.timeoutMs,
  });

/** Awaits a rejection and returns the error, failing if the promise resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

async function entraErrorOf(promise: Promise<unknown>): Promise<EntraError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(EntraError);
  return error as EntraError;
}

function addTenant(entra: EntraEmulator, n: number, consent = true): string {
  const tenantId = `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  entra.addTenant({ tenantId, domains: [`t${n}.onmicrosoft.com`], displayName: `Tenant ${n}` });
  if (consent) entra.grantConsent(tenantId, TEST_APP.clientId, TEST_ROLES);
  return tenantId;
}

describe('Graph token provider over the real @azure/identity', () => {
  let entra: EntraEmulator;
  let provider: GraphTokenProvider;
  beforeAll(async () => {
    entra = await startTestEntra();
    provider = secretProvider(entra);
  });
  afterAll(async () => {
    await entra.close();
  });

  it('gets tokens for two tenants from one credential, each with its own tid and roles', async () => {
    const contoso = await provider.getGraphToken(CONTOSO.tenantId);
    const fabrikam = await provider.getGraphToken(FABRIKAM.tenantId);
    expect(contoso.tenantId).toBe(CONTOSO.tenantId);
    expect(fabrikam.tenantId).toBe(FABRIKAM.tenantId);
    expect(contoso.token).not.toBe(fabrikam.token);
    expect(contoso.roles).toEqual(TEST_ROLES);
    expect(contoso.expiresOnMs).toBeGreaterThan(Date.now() + 3_000_000);
    expect(entra.tokenRequests(CONTOSO.tenantId)).toBe(1);
    expect(entra.tokenRequests(FABRIKAM.tenantId)).toBe(1);
  });

  it('serves a second call from the cache without asking Entra again', async () => {
    const before = entra.tokenRequests(CONTOSO.tenantId);
    const again = await provider.getGraphToken(CONTOSO.tenantId);
    expect(again.tenantId).toBe(CONTOSO.tenantId);
    expect(entra.tokenRequests(CONTOSO.tenantId)).toBe(before);
  });

  it('forgets one tenant\'s token on request: that tenant asks Entra again, the others stay cached', async () => {
    const first = addTenant(entra, 104);
    const second = addTenant(entra, 105);
    await provider.getGraphToken(first);
    await provider.getGraphToken(second);
    provider.forgetGraphToken(first);
    await provider.getGraphToken(first);
    await provider.getGraphToken(second);
    expect(entra.tokenRequests(first)).toBe(2);
    expect(entra.tokenRequests(second)).toBe(1);
    // The tenant's new token is cached again, and forgetting works again.
    await provider.getGraphToken(first);
    expect(entra.tokenRequests(first)).toBe(2);
    entra.revokeConsent(first, TEST_APP.clientId);
    provider.forgetGraphToken(first);
    expect((await entraErrorOf(provider.getGraphToken(first))).aadsts).toBe(700016);
  });

  it('reports the tenant GUID from the token when asked by domain', async () => {
    const token = await provider.getGraphToken('contoso.com');
    expect(token.tenantId).toBe(CONTOSO.tenantId);
  });

  it('makes one token request for 50 concurrent callers of a tenant', async () => {
    const tenantId = addTenant(entra, 101);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getGraphToken(tenantId)));
    expect(entra.tokenRequests(tenantId)).toBe(1);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens[49]?.tenantId).toBe(tenantId);
  });

  it('retries transient 503s inside @azure/identity and succeeds', async () => {
    const tenantId = addTenant(entra, 102);
    entra.setFaults(tenantId, { transientFailures: 2, retryAfterMs: 1 });
    const token = await provider.getGraphToken(tenantId);
    expect(token.tenantId).toBe(tenantId);
    expect(entra.tokenRequests(tenantId)).toBe(3);
  });

  it('gives up after the retries as ExternalUnreachableError', async () => {
    const tenantId = addTenant(entra, 103);
    entra.setFaults(tenantId, { transientFailures: 10, retryAfterMs: 1 });
    const error = await rejectionOf(provider.getGraphToken(tenantId));
    expect(error).toBeInstanceOf(ExternalUnreachableError);
    expect((error as ExternalUnreachableError).service).toBe('entra');
    expect(entra.tokenRequests(tenantId)).toBe(4);
  });

  it('times out a slow Entra as ExternalUnreachableError', async () => {
    const tenantId = addTenant(entra, 104);
    entra.setFaults(tenantId, { delayMs: 1_500 });
    const started = Date.now();
    const error = await rejectionOf(secretProvider(entra, { timeoutMs: 200 }).getGraphToken(tenantId));
    expect(error).toBeInstanceOf(ExternalUnreachableError);
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('refuses shared endpoints and malformed tenant ids without calling Entra', async () => {
    const before = entra.totalTokenRequests();
    const shared = await entraErrorOf(provider.getGraphToken('common'));
    const malformed = await entraErrorOf(provider.getGraphToken('contoso.com/../x'));
    expect(shared.audience).toBe('operator');
    expect(malformed.audience).toBe('customer');
    expect(malformed.userMessage).not.toContain('../x');
    expect(entra.totalTokenRequests()).toBe(before);
  });
});

describe('Graph token provider with a certificate', () => {
  let entra: EntraEmulator;
  let dir: string;
  beforeAll(async () => {
    entra = await startTestEntra();
    dir = mkdtempSync(join(tmpdir(), 'soc-bridge-cert-'));
  });
  afterAll(async () => {
    await entra.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function certificateFile(name: string): Promise<{ path: string; cert: string }> {
    const pems = await generate([{ name: 'commonName', value: 'SOC Bridge test client' }], { keySize: 2048, algorithm: 'sha256' });
    const path = join(dir, `${name}.pem`);
    writeFileSync(path, `${pems.private}\n${pems.cert}`, { mode: 0o600 });
    return { path, cert: pems.cert };
  }

  it('authenticates with a signed client assertion the emulator verifies', async () => {
    const { path, cert } = await certificateFile('good');
    const clientId = 'cccccccc-0000-4000-8000-000000000003';
    entra.registerApp({ clientId, certificatePem: cert });
    entra.grantConsent(CONTOSO.tenantId, clientId, ['SecurityAlert.Read.All']);
    entra.grantConsent(FABRIKAM.tenantId, clientId, ['SecurityAlert.Read.All']);
    const provider = createGraphTokenProvider({ credentials: { kind: 'certificate', clientId, certificatePath: path }, authorityHost: entra.authorityHost, logger: silentLogger });
    const contoso = await provider.getGraphToken('contoso.onmicrosoft.com');
    const fabrikam = await provider.getGraphToken(FABRIKAM.tenantId);
    expect([contoso.tenantId, fabrikam.tenantId]).toEqual([CONTOSO.tenantId, FABRIKAM.tenantId]);
    expect(contoso.roles).toEqual(['SecurityAlert.Read.All']);
  });

  it('turns an assertion signed by another key into AADSTS700027 for the operator', async () => {
    const registered = await certificateFile('registered');
    const other = await certificateFile('other');
    const clientId = 'dddddddd-0000-4000-8000-000000000004';
    entra.registerApp({ clientId, certificatePem: registered.cert });
    entra.grantConsent(CONTOSO.tenantId, clientId, TEST_ROLES);
    const provider = createGraphTokenProvider({ credentials: { kind: 'certificate', clientId, certificatePath: other.path }, authorityHost: entra.authorityHost, logger: silentLogger });
    const error = await entraErrorOf(provider.getGraphToken(CONTOSO.tenantId));
    expect(error.aadsts).toBe(700027);
    expect(error.audience).toBe('operator');
    expect(error.status).toBe(401);
    expect(error.userMessage).toMatch(/certificate/);
  });
});

describe('Entra refusals as EntraError', () => {
  let entra: EntraEmulator;
  let provider: GraphTokenProvider;
  const lines: string[] = [];
  beforeAll(async () => {
    entra = await startTestEntra();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    provider = secretProvider(entra, { logger: createLogger({ level: 'debug', destination }) });
  });
  afterAll(async () => {
    await entra.close();
  });

  it('maps an unknown tenant on a fresh credential (MSAL discovery fails) to AADSTS90002', async () => {
    const error = await entraErrorOf(secretProvider(entra).getGraphToken('nope.onmicrosoft.com'));
    expect(error.aadsts).toBe(90002);
    expect(error.audience).toBe('customer');
    expect(error.userMessage).toContain('does not know tenant nope.onmicrosoft.com');
  });

  it('maps an unknown tenant after discovery is cached to AADSTS90002 from the token endpoint', async () => {
    await provider.getGraphToken(CONTOSO.tenantId);
    const error = await entraErrorOf(provider.getGraphToken('unknown.onmicrosoft.com'));
    expect(error.aadsts).toBe(90002);
    expect(entra.tokenRequests('unknown.onmicrosoft.com')).toBe(1);
  });

  it('maps a missing consent to AADSTS700016 with the consent-card advice', async () => {
    const error = await entraErrorOf(provider.getGraphToken(NORTHWIND.tenantId));
    expect(error).toBeInstanceOf(ExternalRejectedError);
    expect(error.service).toBe('entra');
    expect(error.aadsts).toBe(700016);
    expect(error.audience).toBe('customer');
    expect(error.serviceCode).toBe('AADSTS700016');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.userMessage).toBe(
      `SOC Bridge is not consented in this customer's tenant (${NORTHWIND.tenantId}). Send the customer admin a fresh consent card (\`consent ${NORTHWIND.tenantId}\`).`,
    );
  });

  it('maps a Conditional Access block to AADSTS53003 for the customer', async () => {
    const tenantId = addTenant(entra, 201);
    entra.setFaults(tenantId, { conditionalAccessBlock: true });
    const error = await entraErrorOf(provider.getGraphToken(tenantId));
    expect([error.aadsts, error.audience]).toEqual([53003, 'customer']);
    expect(error.userMessage).toMatch(/Conditional Access policy in tenant/);
  });

  it('maps a wrong secret to AADSTS7000215 for the operator, never echoing the secret', async () => {
    const wrongSecret = 'wrong-secret-VALUE-0123456789';
    const error = await entraErrorOf(secretProvider(entra, { secret: wrongSecret }).getGraphToken(CONTOSO.tenantId));
    expect([error.aadsts, error.audience, error.status]).toEqual([7000215, 'operator', 401]);
    expect(error.userMessage).toMatch(/DEFENDER_CLIENT_SECRET/);
    expect(`${error.message} ${error.userMessage}`).not.toContain(wrongSecret);
  });

  it('maps an expired secret to AADSTS7000222 for the operator', async () => {
    const tenantId = addTenant(entra, 202);
    entra.setFaults(tenantId, { secretExpired: true });
    const error = await entraErrorOf(provider.getGraphToken(tenantId));
    expect([error.aadsts, error.audience]).toEqual([7000222, 'operator']);
    expect(error.userMessage).toMatch(/expired/);
  });

  it('maps a revoked consent to AADSTS700016 once the cached token is gone', async () => {
    const tenantId = addTenant(entra, 203);
    entra.revokeConsent(tenantId, TEST_APP.clientId);
    const error = await entraErrorOf(provider.getGraphToken(tenantId));
    expect(error.aadsts).toBe(700016);
  });

  it('maps a bad scope (only reachable by calling the credential directly) to AADSTS70011', async () => {
    const credential = new ClientSecretCredential('common', TEST_APP.clientId, TEST_APP.secret, {
      authorityHost: entra.authorityHost,
      disableInstanceDiscovery: true,
      additionallyAllowedTenants: ['*'],
    });
    const raw = await rejectionOf(credential.getToken('https://graph.microsoft.com/User.Read', { tenantId: CONTOSO.tenantId }));
    const error = toEntraFailure(raw, CONTOSO.tenantId);
    expect(error).toBeInstanceOf(EntraError);
    expect([(error as EntraError).aadsts, (error as EntraError).audience]).toEqual([70011, 'operator']);
  });

  it('logs failures and successes without tokens or secrets', async () => {
    lines.length = 0;
    await entraErrorOf(provider.getGraphToken(NORTHWIND.tenantId));
    const token = await provider.getGraphToken(FABRIKAM.tenantId);
    const log = lines.join('');
    expect(log).toContain('Graph token request failed');
    expect(log).toContain('Graph token ready');
    expect(log).not.toContain(token.token);
    expect(log).not.toContain(TEST_APP.secret);
  });
});

describe('Entra unreachable', () => {
  it('maps a dead authority to ExternalUnreachableError', async () => {
    const entra = await startTestEntra();
    const authorityHost = entra.authorityHost;
    await entra.close();
    const provider = createGraphTokenProvider({
      credentials: { kind: 'secret', clientId: TEST_APP.clientId, secret: TEST_APP.secret },
      authorityHost,
      logger: silentLogger,
    });
    const error = await rejectionOf(provider.getGraphToken(CONTOSO.tenantId));
    expect(error).toBeInstanceOf(ExternalUnreachableError);
    expect((error as ExternalUnreachableError).service).toBe('entra');
  });
});

describe('toEntraFailure on the shapes @azure/identity can throw', () => {
  it('reads an AuthenticationError errorResponse', () => {
    const error = Object.assign(new Error('AuthenticationError'), {
      name: 'AuthenticationError',
      statusCode: 400,
      errorResponse: { error: 'invalid_grant', errorDescription: 'AADSTS65001: The user or administrator has not consented.', errorCodes: [65001], correlationId: 'c0ffee00-0000-4000-8000-000000000000' },
    });
    const failure = toEntraFailure(error, CONTOSO.tenantId) as EntraError;
    expect([failure.aadsts, failure.audience, failure.status, failure.requestId]).toEqual([65001, 'customer', 400, 'c0ffee00-0000-4000-8000-000000000000']);
  });

  it('reads a code from message text alone', () => {
    const failure = toEntraFailure(new Error('invalid_request: AADSTS90094: Admin consent is required.'), CONTOSO.tenantId) as EntraError;
    expect([failure.aadsts, failure.audience]).toEqual([90094, 'customer']);
  });

  it('treats network errors and temporarily_unavailable as unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toEntraFailure(refused)).toBeInstanceOf(ExternalUnreachableError);
    expect(toEntraFailure(new Error('network_error: Network request failed'))).toBeInstanceOf(ExternalUnreachableError);
    expect(toEntraFailure(new Error('temporarily_unavailable: Error(s): 90033 - Description: AADSTS90033: transient'))).toBeInstanceOf(ExternalUnreachableError);
  });

  it('sends unknown codes and unclassified failures to the operator', () => {
    const unknownCode = toEntraFailure(new Error('AADSTS123456: something new'), CONTOSO.tenantId) as EntraError;
    expect([unknownCode.aadsts, unknownCode.audience]).toEqual([123456, 'operator']);
    expect(unknownCode.userMessage).toContain('error?code=123456');
    const unclassified = toEntraFailure(new TypeError('boom'), CONTOSO.tenantId) as EntraError;
    expect([unclassified.aadsts, unclassified.audience]).toEqual([undefined, 'operator']);
  });

  it('puts each listed code in the right audience with its own advice', () => {
    const customer = [700016, 65001, 65004, 90094, 650056, 650057, 90099, 53003, 500011, 90002];
    const operator = [7000215, 7000222, 7000218, 700027, 70011, 700022, 9001023];
    for (const code of customer) expect(audienceOf(code)).toBe('customer');
    for (const code of operator) expect(audienceOf(code)).toBe('operator');
    const messages = [...customer, ...operator].map((code) => (toEntraFailure(new Error(`AADSTS${code}: x`), CONTOSO.tenantId) as EntraError).userMessage);
    for (const message of messages) expect(message).not.toMatch(/AADSTS|error\?code=/);
    expect(new Set(messages).size).toBe(messages.length - 1);
  });

  it('never echoes a hostile tenant id or a token into the messages', () => {
    const token = 'eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.';
    const failure = toEntraFailure(new Error(`AADSTS700016: leaked ${token}`), '<script>alert(1)</script>') as EntraError;
    expect(failure.userMessage).not.toContain('<script>');
    expect(failure.message).not.toContain(token);
  });
});
