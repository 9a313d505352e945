import type { DemoTenant } from '../emulator/demo-data.js';

/** The three customers the sandbox serves, with fixed ids so cards and links stay stable across restarts. */
export const DEMO_CUSTOMERS: readonly (DemoTenant & { handle: string; backlog: number })[] = [
  { handle: 'contoso', orgName: 'Contoso Ltd', domain: 'contoso.com', tenantId: 'c0a7c0de-0000-4000-8000-00000000c001', backlog: 48 },
  { handle: 'fabrikam', orgName: 'Fabrikam Inc', domain: 'fabrikam.com', tenantId: 'fab01ca7-0000-4000-8000-00000000fab1', backlog: 36 },
  { handle: 'northwind', orgName: 'Northwind Traders', domain: 'northwindtraders.com', tenantId: '0e7f1d00-0000-4000-8000-0000000000a1', backlog: 24 },
];

/**
 * A fourth customer that has not consented yet, so the onboarding flow can be tried end to end:
 * `onboard tailspintoys.com Tailspin Toys`, then "Grant access" on the card, Accept, and back.
 */
export const PENDING_DEMO_CUSTOMERS: readonly (DemoTenant & { backlog: number })[] = [
  { orgName: 'Tailspin Toys', domain: 'tailspintoys.com', tenantId: '7a115b00-0000-4000-8000-0000000007a1', backlog: 18 },
];

/** The sandbox's stand-in for the MSSP's multi-tenant Defender app registration. */
export const SANDBOX_CLIENT_ID = '5a0dbc1d-50c0-4b1d-9e00-00000000d3f0';
