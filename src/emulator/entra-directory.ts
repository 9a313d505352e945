/** The emulated Entra directory's vocabulary: app registrations, tenants and the one scope it grants. */

/** The only scope the emulated token endpoint accepts: app permissions come through `/.default`. */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Roles an admin grants on the consent page when the app does not configure its own. */
export const DEFAULT_CONSENT_ROLES: readonly string[] = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All', 'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];

/** An app registration in the (emulated) MSSP tenant. */
export interface EmulatedApp {
  clientId: string;
  displayName?: string;
  secret?: string;
  /** Public certificate (PEM) that verifies the app's client assertions. */
  certificatePem?: string;
  redirectUris?: readonly string[];
  /** Application permissions an admin grants on the consent page. */
  consentRoles?: readonly string[];
}

/** A customer tenant, found by its GUID or any of its domains. */
export interface EmulatedTenant {
  tenantId: string;
  domains: readonly string[];
  displayName: string;
}
