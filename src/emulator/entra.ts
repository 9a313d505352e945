import { X509Certificate, constants as cryptoConstants, createHash, randomUUID, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { readBody, redirect, sendHtml, sendJson, startLoopbackServer, type RunningServer, type TlsMaterial } from './http-kit.js';
import { mintEmulatorAccessToken } from './tokens.js';

/**
 * A local Entra ID (v2 endpoints) for tests, benchmarks and sandbox mode: OpenID discovery, the
 * client-credentials token endpoint and the admin-consent page, over HTTPS because @azure/identity
 * refuses anything else. State (apps, tenants, consents, faults) lives in memory and tests drive it.
 */

/** The only scope the emulated token endpoint accepts: app permissions come through `/.default`. */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Roles an admin grants on the consent page when the app does not configure its own. */
export const DEFAULT_CONSENT_ROLES: readonly string[] = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3599;
const SHARED_SEGMENTS = new Set(['common', 'consumers', 'organizations']);

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

/** A refusal in the shape of Entra's OAuth error bodies. */
interface OAuthFailure {
  status: number;
  error: string;
  aadsts: number;
  text: string;
  headers?: Record<string, string>;
}

type Params = URLSearchParams;

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
    if ((req.method === 'GET' || req.method === 'POST') && path === 'v2.0/adminconsent') return this.handleAdminConsent(req, res, segment, url);
    sendJson(res, 404, { error: 'not_found', error_description: `The Entra emulator does not serve ${req.method} ${url.pathname}` });
  }

  private async handleDiscovery(req: IncomingMessage, res: ServerResponse, segment: string): Promise<void> {
    const tenant = this.findTenant(segment);
    this.bump(this.discoveryCounts, tenant?.tenantId ?? segment.toLowerCase());
    await this.delayFor(tenant);
    const shared = SHARED_SEGMENTS.has(segment.toLowerCase());
    if (!tenant && !shared) {
      const failure = tenantNotFound(segment, 'invalid_tenant');
      return sendJson(res, failure.status, this.errorBody(failure, req));
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
      return sendJson(res, outcome.status, this.errorBody(outcome, req), outcome.headers);
    }
    sendJson(res, 200, { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: outcome.accessToken });
  }

  /** Checks a client-credentials request in the order Entra does and returns a token or the refusal. */
  private issueToken(req: IncomingMessage, params: Params, segment: string, tenant: EmulatedTenant | undefined): OAuthFailure | { accessToken: string } {
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
    params: Params,
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

  private async handleAdminConsent(req: IncomingMessage, res: ServerResponse, segment: string, url: URL): Promise<void> {
    const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    const checked = this.checkConsentRequest(segment, params);
    if ('aadsts' in checked) return sendHtml(res, 400, errorPage(checked));
    const { app, redirectUri } = checked;
    if (params.get('scope') !== GRAPH_DEFAULT_SCOPE) {
      return redirect(res, withQuery(redirectUri, { error: 'invalid_request', error_description: invalidScope(params.get('scope') ?? '').text, state: params.get('state') }));
    }
    if (req.method === 'GET') return sendHtml(res, 200, this.consentPage(segment, app, params));
    const tenant = this.findTenant(segment.toLowerCase() === 'organizations' ? (params.get('signin_tenant') ?? '') : segment);
    if (!tenant) return sendHtml(res, 400, errorPage(tenantNotFound(params.get('signin_tenant') ?? segment, 'invalid_tenant')));
    this.decideConsent(res, params, { app, redirectUri, tenant });
  }

  private decideConsent(res: ServerResponse, params: Params, { app, redirectUri, tenant }: { app: EmulatedApp; redirectUri: string; tenant: EmulatedTenant }): void {
    const state = params.get('state');
    const decision = params.get('decision');
    if (decision === 'accept') {
      this.grantConsent(tenant.tenantId, app.clientId, app.consentRoles ?? DEFAULT_CONSENT_ROLES);
      return redirect(res, withQuery(redirectUri, { admin_consent: 'True', tenant: tenant.tenantId, scope: GRAPH_DEFAULT_SCOPE, state }));
    }
    if (decision === 'cancel') {
      return redirect(res, withQuery(redirectUri, {
        admin_consent: 'True',
        error: 'access_denied',
        error_subcode: 'cancel',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
        state,
      }));
    }
    sendHtml(res, 400, errorPage({ status: 400, error: 'invalid_request', aadsts: 900144, text: "The request body must contain the following parameter: 'decision' (accept or cancel)." }));
  }

  /** Everything that must hold before Entra will show a consent page or redirect anywhere. */
  private checkConsentRequest(segment: string, params: Params): OAuthFailure | { app: EmulatedApp; redirectUri: string } {
    const lower = segment.toLowerCase();
    if (lower === 'common' || lower === 'consumers') {
      return { status: 400, error: 'invalid_request', aadsts: 90130, text: 'Application is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.' };
    }
    if (lower !== 'organizations' && !this.findTenant(segment)) return tenantNotFound(segment, 'invalid_tenant');
    const clientId = params.get('client_id') ?? '';
    const app = this.apps.get(clientId.toLowerCase());
    if (!app) {
      return { status: 400, error: 'unauthorized_client', aadsts: 700016, text: `Application with identifier '${clientId}' was not found in the directory '${segment}'.` };
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!(app.redirectUris ?? []).includes(redirectUri)) {
      return { status: 400, error: 'invalid_request', aadsts: 50011, text: `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.` };
    }
    return { app, redirectUri };
  }

  private consentPage(segment: string, app: EmulatedApp, params: Params): string {
    const tenant = this.findTenant(segment);
    const roles = (app.consentRoles ?? DEFAULT_CONSENT_ROLES).map((role) => `<li>${escapeHtml(role)} (Microsoft Graph, application)</li>`).join('');
    const hidden = ['client_id', 'redirect_uri', 'scope', 'state']
      .filter((name) => params.get(name) !== null)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
      .join('');
    const who = tenant ? `an administrator of ${escapeHtml(tenant.displayName)}` : 'an administrator';
    const picker = tenant ? '' : this.tenantPicker();
    return page('Permissions requested', [
      `<h1>Permissions requested</h1>`,
      `<p><strong>${escapeHtml(app.displayName ?? app.clientId)}</strong> (${escapeHtml(app.clientId)}) asks ${who} to grant:</p>`,
      `<ul>${roles}</ul>`,
      `<p>After you decide you go back to ${escapeHtml(params.get('redirect_uri') ?? '')}.</p>`,
      `<form method="post" action="/${escapeHtml(encodeURIComponent(segment))}/v2.0/adminconsent">${hidden}${picker}`,
      `<button type="submit" name="decision" value="accept">Accept</button> <button type="submit" name="decision" value="cancel">Cancel</button></form>`,
    ]);
  }

  /** `organizations` links let any admin sign in; the emulator asks which tenant's admin that is. */
  private tenantPicker(): string {
    const options = [...this.tenants.values()].map((t) => `<option value="${escapeHtml(t.tenantId)}">${escapeHtml(t.displayName)}</option>`).join('');
    return `<p><label>Sign in as an administrator of <select name="signin_tenant">${options}</select></label></p>`;
  }

  private errorBody(failure: OAuthFailure, req: IncomingMessage): Record<string, unknown> {
    const traceId = randomUUID();
    const correlationId = clientRequestId(req) ?? randomUUID();
    const timestamp = entraTimestamp(this.clock.now());
    return {
      error: failure.error,
      error_description: `AADSTS${failure.aadsts}: ${failure.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [failure.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${failure.aadsts}`,
    };
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

interface ClientAuthentication {
  clientId: string | undefined;
  secret: string | undefined;
}

/** Client id and secret from the form body, or from HTTP Basic auth, which Entra also accepts. */
function readClientAuthentication(req: IncomingMessage, params: Params): ClientAuthentication {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { clientId: params.get('client_id') ?? undefined, secret: params.get('client_secret') ?? undefined };
}

/** Why a client assertion is unacceptable, or undefined when it is good. */
function checkClientAssertion(assertion: string, type: string | null, app: EmulatedApp, audiences: string[], nowSeconds: number): string | undefined {
  if (type !== JWT_BEARER) return `client_assertion_type must be ${JWT_BEARER}`;
  if (!app.certificatePem) return `no certificate is registered for app '${app.clientId}'`;
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'the client assertion is not a JWT';
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseJsonObject(headerPart);
  const claims = parseJsonObject(payloadPart);
  if (!header || !claims) return 'the client assertion is not a JWT';
  const certificate = new X509Certificate(app.certificatePem);
  const keyProblem = checkThumbprint(header, certificate);
  if (keyProblem) return keyProblem;
  if (!signatureMatches(String(header.alg), `${headerPart}.${payloadPart}`, signaturePart, certificate)) {
    return 'the client assertion signature does not match the registered certificate';
  }
  return checkAssertionClaims(claims, app.clientId, audiences, nowSeconds);
}

function checkThumbprint(header: Record<string, unknown>, certificate: X509Certificate): string | undefined {
  const sha256 = createHash('sha256').update(certificate.raw).digest('base64url');
  const sha1 = createHash('sha1').update(certificate.raw).digest('base64url');
  if (header['x5t#S256'] === sha256 || header.x5t === sha1) return undefined;
  return 'the key identifier (x5t / x5t#S256) names no registered certificate';
}

function signatureMatches(alg: string, signedText: string, signature: string, certificate: X509Certificate): boolean {
  const key = certificate.publicKey;
  const data = Buffer.from(signedText);
  const sig = Buffer.from(signature, 'base64url');
  if (alg === 'RS256') return verifySignature('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PADDING }, sig);
  if (alg === 'PS256') {
    return verifySignature('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }, sig);
  }
  return false;
}

function checkAssertionClaims(claims: Record<string, unknown>, clientId: string, audiences: string[], nowSeconds: number): string | undefined {
  if (claims.iss !== clientId || claims.sub !== clientId) return 'iss and sub of the client assertion must be the client id';
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.toLowerCase())) return 'the client assertion audience is not this token endpoint';
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return 'the client assertion has expired';
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 300) return 'the client assertion is not valid yet';
  return undefined;
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tenantNotFound(segment: string, error: string): OAuthFailure {
  return {
    status: 400,
    error,
    aadsts: 90002,
    text: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  };
}

function sharedEndpointRefused(): OAuthFailure {
  return { status: 400, error: 'invalid_request', aadsts: 9001023, text: 'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.' };
}

function appNotInTenant(clientId: string, tenantId: string): OAuthFailure {
  return {
    status: 400,
    error: 'unauthorized_client',
    aadsts: 700016,
    text: `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  };
}

function invalidScope(scope: string): OAuthFailure {
  return { status: 400, error: 'invalid_scope', aadsts: 70011, text: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '${scope}'. The scope ${GRAPH_DEFAULT_SCOPE} is the only one this app may request.` };
}

function assertionRefused(problem: string): OAuthFailure {
  return { status: 401, error: 'invalid_client', aadsts: 700027, text: `Client assertion failed signature validation: ${problem}.` };
}

function clientRequestId(req: IncomingMessage): string | undefined {
  const fromQuery = new URL(req.url ?? '/', 'https://emulator.invalid').searchParams.get('client-request-id');
  const fromHeader = req.headers['client-request-id'];
  return fromQuery ?? (typeof fromHeader === 'string' ? fromHeader : undefined);
}

/** Entra writes timestamps as `2024-05-01 09:30:00Z`. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function withQuery(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function errorPage(failure: OAuthFailure): string {
  return page('Sign in', [
    '<h1>Sorry, but we’re having trouble signing you in.</h1>',
    `<p id="error">AADSTS${failure.aadsts}: ${escapeHtml(failure.text)}</p>`,
  ]);
}

function page(title: string, body: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body.join('\n')}</body></html>`;
}
