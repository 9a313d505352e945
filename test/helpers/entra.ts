export { testTls } from './tls.js';
import type { Clock } from '../../src/clock.js';
import { EntraEmulator, type EmulatedApp, type EmulatedTenant } from '../../src/emulator/entra.js';
import { testTls } from './tls.js';

/** The MSSP's multi-tenant app as the tests register it. */
export const TEST_APP = {
  clientId: '0b4f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
  secret: 'test-secret-value-7Q~not-a-real-one',
  displayName: 'SOC Bridge (test)',
  redirectUris: ['https://socbridge.test/auth/consent/callback'],
} as const satisfies EmulatedApp;

/** A consented customer with two domains. */
export const CONTOSO: EmulatedTenant = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  domains: ['contoso.onmicrosoft.com', 'contoso.com'],
  displayName: 'Contoso Ltd',
};
/** A second consented customer, to show one credential serves several tenants. */
export const FABRIKAM: EmulatedTenant = {
  tenantId: '22222222-2222-4222-8222-222222222222',
  domains: ['fabrikam.onmicrosoft.com'],
  displayName: 'Fabrikam Inc',
};
/** A known tenant whose admin has not consented yet. */
export const NORTHWIND: EmulatedTenant = {
  tenantId: '33333333-3333-4333-8333-333333333333',
  domains: ['northwind.onmicrosoft.com'],
  displayName: 'Northwind Traders',
};

/** The roles the tests grant, the same as the consent page's default. */
export const TEST_ROLES = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All', 'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];

/** Starts an Entra emulator with TEST_APP, the three tenants, and consent in Contoso and Fabrikam. */
export async function startTestEntra({ clock }: { clock?: Clock } = {}): Promise<EntraEmulator> {
  const entra = await EntraEmulator.start({ tls: testTls(), clock });
  entra.registerApp(TEST_APP);
  for (const tenant of [CONTOSO, FABRIKAM, NORTHWIND]) entra.addTenant(tenant);
  entra.grantConsent(CONTOSO.tenantId, TEST_APP.clientId, TEST_ROLES);
  entra.grantConsent(FABRIKAM.tenantId, TEST_APP.clientId, TEST_ROLES);
  return entra;
}

/** Decodes a JWT's payload without checking anything, to look at claims in assertions. */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
