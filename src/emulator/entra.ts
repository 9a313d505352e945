import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { checkClientAssertion, readClientAuthentication, sameText, type ClientAuthentication } from './entra-client-auth.js';
import { AdminConsentEndpoint } from './entra-consent.js';
import { GRAPH_DEFAULT_SCOPE, type EmulatedApp, type EmulatedTenant } from './entra-directory.js';
import { appNotInTenant, assertionRefused, invalidScope, oauthErrorBody, sharedEndpointRefused, tenantNotFound, type OAuthFailure } from './entra-failures.js';
import { readBody, sendJson, startLoopbackServer, type RunningServer, type TlsMaterial } from './http-kit.js';
import { mintEmulatorAccessToken } from './tokens.js';

export { DEFAULT_CONSENT_ROLES, GRAPH_DEFAULT_SCOPE, type EmulatedApp, type EmulatedTenant } from './entra-directory.js';

/**
 * A local Entra ID (v2 endpoints) for tests, benchmarks and sandbox mode: OpenID discovery, the
 * client-credentials token endpoint and the admin-consent page, over HTTPS because @azure/identity
 * refuses anything else. State (apps, tenants, consents, faults) lives in memory and tests drive it.
 */

const TOKEN_LIFETIME_SECONDS = 3599;
const SHARED_SEGMENTS = new Set(['common', 'consumers', 'organizations']);

/** Failures a tenant can be told to produce on its token endpoint. */
export interface TenantFaults {
  /** Every token request is refused with AADSTS53003. */
  conditionalAccessBlock: boolean;
  /** A correct client secret is refused as expired (AADSTS7000222). */
  secretExpired: boolean;
  /** Each request to this tenant waits this long (on the emulator's clock) before it is answered. */
  delayMs: number;
  /** How many of the next token requests fail with `transientStatus` (temporarily_unavailable). */
  transientFailures: number;
  transientStatus: number;
  /** Sent as `retry-after-ms` with transient failures, so the client's retry policy waits only that long. */
  retryAfterMs: number | undefined;
}

const NO_FAULTS: TenantFaults = {
  conditionalAccessBlock: false,
  secretExpired: false,
  delayMs: 0,
  transientFailures: 0,
  transientStatus: 503,
  retryAfterMs: undefined,
};

/** How to start the emulator: TLS is required because @azure/identity only talks HTTPS. */
export interface EntraEmulatorOptions {
  tls: TlsMaterial;
  clock?: Clock;
  port?: number;
  logger?: Logger;
}


/** The emulated Entra ID: start it, register apps and tenants, then point @azure/identity at `authorityHost`. */
export class EntraEmulator {
  private readonly apps = new Map<string, EmulatedApp>();
  private readonly tenants = new Map<string, EmulatedTenant>();
  private readonly tenantByName = new Map<string, string>();
  private readonly consents = new Map<string, string[]>();
  /** The object id of the app's service principal in each consented tenant: a new one after every revocation. */
  private readonly servicePrincipals = new Map<string, string>();
  private readonly faults = new Map<string, TenantFaults>();
  private readonly tokenCounts = new Map<string, number>();
  private readonly discoveryCounts = new Map<string, number>();
  private server: RunningServer | undefined;
  private readonly consent = new AdminConsentEndpoint({
    app: (clientId) => this.apps.get(clientId.toLowerCase()),
    findTenant: (tenant) => this.findTenant(tenant),
    tenants: () => this.tenants.values(),
    grantConsent: (tenant, clientId, roles) => this.grantConsent(tenant, clientId, roles),
  });

  private constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Starts the emulator on 127.0.0.1 (a free port unless one is given). */
  static async start({ tls, clock = systemClock, port = 0, logger = silentLogger }: EntraEmulatorOptions): Promise<EntraEmulator> {
    const emulator = new EntraEmulator(clock, logger);
    emulator.server = await startLoopbackServer((req, res) => void emulator.handle(req, res), { tls, port });
    return emulator;
  }

  /** Base URL to give @azure/identity as `authorityHost`, e.g. https://127.0.0.1:41234. */
  get authorityHost(): string {
    if (!this.server) throw new Error('Entra emulator is not running');
    return this.server.url;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** Registers (or replaces) an app registration. */
  registerApp(app: EmulatedApp): void {
    this.apps.set(app.clientId.toLowerCase(), { ...app });
  }

  /** Adds a customer tenant. */
  addTenant(tenant: EmulatedTenant): void {
    const tenantId = tenant.tenantId.toLowerCase();
    this.tenants.set(tenantId, { ...tenant, tenantId });
    for (const name of [tenantId, ...tenant.domains]) this.tenantByName.set(name.toLowerCase(), tenantId);
  }

  /** The tenant a GUID or domain names, if known. */
  findTenant(tenantIdOrDomain: string): EmulatedTenant | undefined {
    const id = this.tenantByName.get(tenantIdOrDomain.toLowerCase());
    return id === undefined ? undefined : this.tenants.get(id);
  }

  /** Records that the tenant's admin consented to `roles` for the app (replacing earlier grants). */
  grantConsent(tenant: string, clientId: string, roles: readonly string[]): void {
    const key = this.consentKey(tenant, clientId);
    this.consents.set(key, [...roles]);
    if (!this.servicePrincipals.has(key)) this.servicePrincipals.set(key, randomUUID());
  }

  /** Removes the app's service principal from the tenant, as deleting the enterprise app does. */
  revokeConsent(tenant: string, clientId: string): void {
    const key = this.consentKey(tenant, clientId);
    this.consents.delete(key);
    this.servicePrincipals.delete(key);
  }

  /**
   * The object id of the app's service principal in the tenant (the `oid` of the app tokens issued
   * for it), or undefined when the app is not consented there. Consenting again after a revocation
   * creates a new service principal, so tokens issued before the revocation never match again.
   */
  servicePrincipalId(tenant: string, clientId: string): string | undefined {
    return this.servicePrincipals.get(this.consentKey(tenant, clientId));
  }

  /** Roles granted to the app in the tenant, or undefined when it was never consented. */
  consentedRoles(tenant: string, clientId: string): string[] | undefined {
    const roles = this.consents.get(this.consentKey(tenant, clientId));
    return roles ? [...roles] : undefined;
  }

  /** Changes some of a tenant's faults; the rest stay as they were. */
  setFaults(tenant: string, faults: Partial<TenantFaults>): void {
    const tenantId = this.requireTenant(tenant).tenantId;
    this.faults.set(tenantId, { ...this.faultsOf(tenantId), ...faults });
  }

  /** Clears the faults of one tenant, or of all of them. */
  clearFaults(tenant?: string): void {
    if (tenant === undefined) this.faults.clear();
    else this.faults.delete(this.requireTenant(tenant).tenantId);
  }

  /** Token requests received for a tenant (by GUID or domain; unknown tenants count under the name used). */
  tokenRequests(tenant: string): number {
    return this.tokenCounts.get(this.counterKey(tenant)) ?? 0;
  }

  /** OpenID configuration requests received for a tenant. */
  discoveryRequests(tenant: string): number {
    return this.discoveryCounts.get(this.counterKey(tenant)) ?? 0;
  }

  /** Token requests received for all tenants together. */
  totalTokenRequests(): number {
    return [...this.tokenCounts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Sets every counter back to zero. */
  resetCounters(): void {
    this.tokenCounts.clear();
    this.discoveryCounts.clear();
  }

  /** The v2 admin-consent link for an app and a tenant, as the bot would build it. */
  adminConsentUrl({ tenant, clientId, redirectUri, state }: { tenant: string; clientId: string; redirectUri: string; state?: string }): string {
    const url = new URL(`${this.authorityHost}/${encodeURIComponent(tenant)}/v2.0/adminconsent`);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('scope', GRAPH_DEFAULT_SCOPE);
    url.searchParams.set('redirect_uri', redirectUri);
    if (state !== undefined) url.searchParams.set('state', state);
    return url.toString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      this.logger.error({ err: error, url: req.url }, 'Entra emulator failed on a request');
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'Entra emulator internal error' });
      else res.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const [segment = '', ...rest] = url.pathname.split('/').filter((part) => part !== '').map(decodePathPart);
    const path = rest.join('/');
    if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') return this.handleDiscovery(req, res, segment);
    if (req.method === 'GET' && path === 'discovery/v2.0/keys') return sendJson(res, 200, { keys: [] });
    if (req.method === 'POST' && path === 'oauth2/v2.0/token') return this.handleToken(req, res, segment);
    if ((req.method === 'GET' || req.method === 'POST') && path === 'v2.0/adminconsent') return this.consent.handle(req, res, segment, url);
    sendJson(res, 404, { error: 'not_found', error_description: `The Entra emulator does not serve ${req.method} ${url.pathname}` });
  }

  private async handleDiscovery(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const tenant = this.findTenant(segment);
    this.bump(this.discoveryCounts, tenant?.tenantId ?? segment.toLowerCase());
    await this.delayFor(tenant);
    const shared = SHARED_SEGMENTS.has(segment.toLowerCase());
    if (!tenant && !shared) {
      const failure = tenantNotFound(segment, 'invalid_tenant');
      return sendJson(res, failure.status, oauthErrorBody(failure, req, this.clock.now()));
    }
    // Real Entra answers a domain with the tenant's GUID in every endpoint; MSAL relies on that.
    const pathTenant = tenant ? tenant.tenantId : segment.toLowerCase();
    const issuerTenant = tenant ? tenant.tenantId : '{tenantid}';
    sendJson(res, 200, this.openIdConfiguration(pathTenant, issuerTenant));
  }

  private openIdConfiguration(pathTenant: string, issuerTenant: string): Record<string, unknown> {
    const base = `${this.authorityHost}/${pathTenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${this.authorityHost}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const params = new URLSearchParams(await readBody(req));
    const tenant = this.findTenant(segment);
    this.bump(this.tokenCounts, tenant?.tenantId ?? segment.toLowerCase());
    await this.delayFor(tenant);
    const outcome = this.issueToken(req, params, segment, tenant);
    if ('status' in outcome) {
      this.logger.debug({ tenant: segment, aadsts: outcome.aadsts }, 'Entra emulator refused a token request');
      return sendJson(res, outcome.status, oauthErrorBody(outcome, req, this.clock.now()), outcome.headers);
    }
    sendJson(res, 200, { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: outcome.accessToken });
  }

  /** Checks a client-credentials request in the order Entra does and returns a token or the refusal. */
  private issueToken(req: IncomingMessage, params: URLSearchParams, segment: string, tenant: EmulatedTenant | undefined): OAuthFailure | { accessToken: string } {
    if (SHARED_SEGMENTS.has(segment.toLowerCase())) return sharedEndpointRefused();
    if (!tenant) return tenantNotFound(segment, 'invalid_request');
    const faults = this.faultsOf(tenant.tenantId);
    if (faults.transientFailures > 0) return this.transientFailure(tenant.tenantId, faults);
    if (params.get('grant_type') !== 'client_credentials') {
      return { status: 400, error: 'unsupported_grant_type', aadsts: 70003, text: 'The app requested an unsupported grant type.' };
    }
    const client = readClientAuthentication(req, params);
    if (!client.clientId) {
      return { status: 400, error: 'invalid_request', aadsts: 900144, text: "The request body must contain the following parameter: 'client_id'." };
    }
    const app = this.apps.get(client.clientId.toLowerCase());
    const roles = this.consents.get(`${tenant.tenantId}|${client.clientId.toLowerCase()}`);
    if (!app || !roles) return appNotInTenant(client.clientId, tenant.tenantId);
    const refusal = this.authenticateClient(app, client, params, segment, tenant, faults);
    if (refusal) return refusal;
    if (params.get('scope') !== GRAPH_DEFAULT_SCOPE) return invalidScope(params.get('scope') ?? '');
    if (faults.conditionalAccessBlock) {
      return { status: 400, error: 'invalid_grant', aadsts: 53003, text: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.' };
    }
    const exp = Math.floor(this.clock.nowMs() / 1000) + TOKEN_LIFETIME_SECONDS;
    const oid = this.servicePrincipals.get(`${tenant.tenantId}|${client.clientId.toLowerCase()}`);
    return { accessToken: mintEmulatorAccessToken({ tid: tenant.tenantId, appid: app.clientId, roles, exp, ...(oid ? { oid } : {}) }) };
  }

  private authenticateClient(
    app: EmulatedApp,
    client: ClientAuthentication,
    params: URLSearchParams,
    segment: string,
    tenant: EmulatedTenant,
    faults: TenantFaults,
  ): OAuthFailure | undefined {
    const assertion = params.get('client_assertion');
    if (assertion !== null) {
      const audiences = [segment, tenant.tenantId].map((t) => `${this.authorityHost}/${t}/oauth2/v2.0/token`.toLowerCase());
      audiences.push(`${this.authorityHost}/${tenant.tenantId}/v2.0`.toLowerCase());
      const problem = checkClientAssertion(assertion, params.get('client_assertion_type'), app, audiences, this.clock.nowMs() / 1000);
      return problem === undefined ? undefined : assertionRefused(problem);
    }
    if (client.secret === undefined) {
      return { status: 401, error: 'invalid_client', aadsts: 7000218, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." };
    }
    if (app.secret === undefined || !sameText(client.secret, app.secret)) {
      return { status: 401, error: 'invalid_client', aadsts: 7000215, text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.` };
    }
    if (faults.secretExpired) {
      return { status: 401, error: 'invalid_client', aadsts: 7000222, text: `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app.` };
    }
    return undefined;
  }

  private transientFailure(tenantId: string, faults: TenantFaults): OAuthFailure {
    this.faults.set(tenantId, { ...faults, transientFailures: faults.transientFailures - 1 });
    const headers: Record<string, string> = faults.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(faults.retryAfterMs) };
    return { status: faults.transientStatus, error: 'temporarily_unavailable', aadsts: 90033, text: 'A transient error has occurred. Please try again.', headers };
  }

  private async delayFor(tenant: EmulatedTenant | undefined): Promise<void> {
    const delayMs = tenant ? this.faultsOf(tenant.tenantId).delayMs : 0;
    if (delayMs > 0) await this.clock.sleep(delayMs);
  }

  private faultsOf(tenantId: string): TenantFaults {
    return this.faults.get(tenantId) ?? NO_FAULTS;
  }

  private requireTenant(tenant: string): EmulatedTenant {
    const found = this.findTenant(tenant);
    if (!found) throw new Error(`Entra emulator: unknown tenant ${tenant}; call addTenant first`);
    return found;
  }

  private consentKey(tenant: string, clientId: string): string {
    return `${this.requireTenant(tenant).tenantId}|${clientId.toLowerCase()}`;
  }

  private counterKey(tenant: string): string {
    return this.findTenant(tenant)?.tenantId ?? tenant.toLowerCase();
  }

  private bump(counts: Map<string, number>, key: string): void {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
}

/** A malformed escape stays as typed, so it ends as "unknown tenant" rather than a 500. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
