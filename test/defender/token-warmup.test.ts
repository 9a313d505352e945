import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGraphTokenProvider } from '../../src/defender/token-provider.js';
import type { EntraEmulator } from '../../src/emulator/entra.js';
import { silentLogger } from '../../src/log.js';
import { TEST_APP, TEST_ROLES, startTestEntra } from '../helpers/entra.js';

const TENANTS = Array.from({ length: 6 }, (_, i) => ({
  tenantId: `5555555${i}-5555-4555-8555-55555555555${i}`,
  domains: [`tenant${i}.onmicrosoft.com`],
  displayName: `Tenant ${i}`,
}));

let entra: EntraEmulator;
beforeAll(async () => {
  entra = await startTestEntra();
  for (const tenant of TENANTS) {
    entra.addTenant(tenant);
    entra.grantConsent(tenant.tenantId, TEST_APP.clientId, TEST_ROLES);
  }
});
afterAll(async () => {
  await entra.close();
});

describe('token provider under a first parallel burst', () => {
  it('keeps every tenant token from the first burst, so the next burst asks Entra for none', async () => {
    const provider = createGraphTokenProvider({
      credentials: { kind: 'secret', clientId: TEST_APP.clientId, secret: TEST_APP.secret },
      authorityHost: entra.authorityHost,
      logger: silentLogger,
    });
    entra.resetCounters();
    await Promise.all(TENANTS.map((t) => provider.getGraphToken(t.tenantId)));
    const afterFirst = entra.totalTokenRequests();
    await Promise.all(TENANTS.map((t) => provider.getGraphToken(t.tenantId)));
    expect(afterFirst).toBe(TENANTS.length);
    expect(entra.totalTokenRequests()).toBe(TENANTS.length);
  });
});
