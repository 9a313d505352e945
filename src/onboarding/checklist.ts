/**
 * The access-grant guide a customer admin works through after consent, so MSSP analysts can use
 * the customer's Defender portal too (Entra B2B + Entitlement Management + Defender RBAC, the
 * tenant-specific portal address, optionally an email rule). Steps follow Microsoft's MSSP guidance.
 */

/** What the links of a step need to know about the customer. */
export interface StepContext {
  readonly tenantId: string;
  /** A verified domain, when the tenant was onboarded by domain. */
  readonly domain: string | undefined;
  /** The MSSP's own Entra tenant (its Teams organisation), for the connected-organisation step. */
  readonly msspTenantId: string | undefined;
}

export interface ChecklistStep {
  readonly id: StepId;
  readonly title: string;
  readonly optional: boolean;
  howTo(ctx: StepContext): string;
  link(ctx: StepContext): { readonly title: string; readonly url: string } | undefined;
}

export const STEP_IDS = ['groups', 'rbac', 'connected-org', 'catalog', 'access-packages', 'my-access', 'portal-url', 'email-rule'] as const;
export type StepId = (typeof STEP_IDS)[number];

const ENTRA_ADMIN_CENTER = 'https://entra.microsoft.com/';

/** The customer's Defender portal; analysts from another tenant land in their own without `tid`. */
export function tenantPortalUrl(tenantId: string): string {
  return `https://security.microsoft.com/?tid=${encodeURIComponent(tenantId)}`;
}

function myAccessUrl(domain: string | undefined): string {
  return domain ? `https://myaccess.microsoft.com/@${encodeURIComponent(domain)}#/` : 'https://myaccess.microsoft.com/';
}

export const CHECKLIST: readonly ChecklistStep[] = [
  {
    id: 'groups',
    title: 'Create three Entra security groups',
    optional: false,
    howTo: () =>
      'Entra admin center > Groups > All groups > New group: create the security groups "Tier 1 Analyst", "Tier 2 Analyst" and "MSSP Analyst Approvers". Leave them empty: the access packages (step 5) add the MSSP\'s people.',
    link: () => ({ title: 'Open Entra admin center', url: ENTRA_ADMIN_CENTER }),
  },
  {
    id: 'rbac',
    title: 'Turn on Defender roles and create the tier roles',
    optional: false,
    howTo: () =>
      'As a Global or Security Administrator, in the Defender portal open Settings > Endpoints > Permissions > Roles and choose "Turn on roles". Create "Tier 1" (everything except live response and managing security settings) assigned to Tier 1 Analyst, and "Tier 2" (Tier 1 plus live response) assigned to Tier 2 Analyst. Then give these roles your device groups.',
    link: (ctx) => ({ title: 'Open your Defender portal', url: tenantPortalUrl(ctx.tenantId) }),
  },
  {
    id: 'connected-org',
    title: "Add the MSSP's tenant as a connected organization",
    optional: false,
    howTo: (ctx) =>
      `Entra admin center > Identity Governance > Entitlement management > Connected organizations > Add connected organization, and add the MSSP's analyst tenant${ctx.msspTenantId ? ` (tenant id ${ctx.msspTenantId}, unless your SOC names a separate analyst tenant)` : ' (your SOC tells you its id or domain)'}.`,
    link: () => ({ title: 'Open Entra admin center', url: ENTRA_ADMIN_CENTER }),
  },
  {
    id: 'catalog',
    title: 'Create a catalog for MSSP access',
    optional: false,
    howTo: () => 'Entitlement management > Catalogs > New catalog, e.g. "MSSP Accesses". Add the three groups to it as resources.',
    link: () => ({ title: 'Open Entra admin center', url: ENTRA_ADMIN_CENTER }),
  },
  {
    id: 'access-packages',
    title: 'Create the access packages and their approvals',
    optional: false,
    howTo: () =>
      'In the catalog, create one access package for the approvers and one per analyst tier, each granting membership of its group. For the tiers: only users of the MSSP\'s connected organization may request, a member of MSSP Analyst Approvers approves, access expires after 365 days, with an annual access review. You (or your delegate) approve the approvers\' package.',
    link: () => ({ title: 'Open Entra admin center', url: ENTRA_ADMIN_CENTER }),
  },
  {
    id: 'my-access',
    title: 'Share the My Access links with the SOC',
    optional: false,
    howTo: () =>
      'Each access package\'s overview page shows its My Access link: send those links to your SOC contact. The MSSP\'s analysts request access with them; approvers approve under Approvals in My Access. Approved analysts become guests in your tenant.',
    link: (ctx) => ({ title: 'Open My Access', url: myAccessUrl(ctx.domain) }),
  },
  {
    id: 'portal-url',
    title: 'Confirm the tenant-specific portal address',
    optional: false,
    howTo: (ctx) =>
      `MSSP analysts open your Defender portal at ${tenantPortalUrl(ctx.tenantId)} (the plain address opens their own tenant). Once the first analyst is approved, check together that it opens your tenant.`,
    link: (ctx) => ({ title: 'Open the tenant-specific portal', url: tenantPortalUrl(ctx.tenantId) }),
  },
  {
    id: 'email-rule',
    title: 'Optional: a Defender email notification rule for the SOC',
    optional: true,
    howTo: () =>
      'Defender portal > Settings > Endpoints > General > Email notifications > Add item. Tick "Include organization name" and "Include tenant-specific portal link", choose the severities and device groups, add the SOC\'s address under Recipients, then "Send test email" and save.',
    link: (ctx) => ({ title: 'Open your Defender portal', url: tenantPortalUrl(ctx.tenantId) }),
  },
];

export function stepById(id: string): ChecklistStep | undefined {
  return CHECKLIST.find((s) => s.id === id);
}
