import { ClientCertificateCredential, ClientSecretCredential, type AccessToken } from '@azure/identity';
import { z } from 'zod/v4';
import type { DefenderCredentials } from '../config.js';
import type { ExternalUnreachableError } from '../errors.js';
import type { Logger } from '../log.js';
import { EntraError, entraFailureFromBody, isEndpointResolutionFailure, toEntraFailure, unreachable } from './entra-errors.js';
import { stopWithin } from '../stop-within.js';

/** The one scope SOC Bridge requests: every application permission consented for Graph. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** An app-only Graph token for one customer tenant, with the claims SOC Bridge checks. */
export interface GraphAccessToken {
  token: string;
  expiresOnMs: number;
  /** The token's `tid` claim: the tenant's GUID even when it was requested by domain. */
  tenantId: string;
  /** The token's `roles` claim: the application permissions the customer granted. */
  roles: string[];
}

/** Source of Graph tokens per customer tenant; failures are EntraError or ExternalUnreachableError. */
export interface GraphTokenProvider {
  getGraphToken(tenantId: string): Promise<GraphAccessToken>;
  /** Graph refused the tenant's token (401/403): never hand it out again; the next call asks Entra. */
  forgetGraphToken(tenantId: string): void;
}

/** What the provider needs: the app's credentials, the Entra authority and the logger. */
export interface GraphTokenProviderOptions {
  credentials: DefenderCredentials;
  /** e.g. https://login.microsoftonline.com, or the Entra emulator's URL. */
  authorityHost: string;
  logger: Logger;
  /** Upper bound for one token request, retries included (default 30 s). */
  timeoutMs?: number;
}

/*
 * The credential's own home tenant is never used: every call names the customer tenant. 'common'
 * is a safe placeholder because MSAL refuses client credentials there (missing_tenant_id_error)
 * without a network call, so a forgotten tenantId cannot reach a shared endpoint.
 */
const PLACEHOLDER_HOME_TENANT = 'common';
const SHARED_TENANTS = new Set(['common', 'organizations', 'consumers']);
const TENANT_ID = /^[0-9a-z](?:[0-9a-z-]{0,61}[0-9a-z])?(?:\.[0-9a-z](?:[0-9a-z-]{0,61}[0-9a-z])?)*$/i;
/** Hosts MSAL's instance discovery knows; any other authority (the emulator) must skip discovery. */
const MICROSOFT_AUTHORITY_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']);
const DEFAULT_TIMEOUT_MS = 30_000;

const TokenClaims = z.object({
  tid: z.string().optional(),
  roles: z.array(z.string()).optional(),
});

/**
 * Builds the production Graph token source: one @azure/identity credential for every customer
 * tenant (it caches a token per tenant until shortly before expiry), plus per-tenant
 * de-duplication so a burst of callers for a tenant waits on a single request.
 *
 * @azure/identity cannot evict one tenant's token from a credential's cache. So a tenant whose
 * token Graph refused (consent revoked, permission removed) is given a credential of its own, with
 * an empty cache, and a new one each time it is refused again; every other tenant keeps the shared
 * credential and its tokens.
 */
export function createGraphTokenProvider(options: GraphTokenProviderOptions): GraphTokenProvider {
  const shared = buildCredential(options.credentials, options.authorityHost);
  const ownCredentials = new Map<string, ConfidentialCredential>();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const inFlight = new Map<string, Promise<GraphAccessToken>>();
  const acquire = (tenantId: string) => {
    const credential = ownCredentials.get(tenantId.toLowerCase()) ?? shared;
    return acquireToken({ credential, tenantId, timeoutMs, authorityHost: options.authorityHost, logger: options.logger });
  };
  // @azure/identity builds its MSAL client lazily, and concurrent first calls for different tenants
  // each build one; all but the last built are dropped with their tokens. Until one call has
  // finished, later calls wait for it, so the client is built once.
  let warmUp: Promise<unknown> | undefined;
  let warm = false;
  const acquireOnce = async (tenantId: string): Promise<GraphAccessToken> => {
    if (!warm && warmUp) await warmUp.catch(() => undefined);
    const request = acquire(tenantId);
    if (!warm && !warmUp) {
      warmUp = request;
      void request.then(() => (warm = true), () => (warmUp = undefined));
    }
    return request;
  };
  return {
    getGraphToken(tenantId: string): Promise<GraphAccessToken> {
      const key = tenantId.toLowerCase();
      const pending = inFlight.get(key);
      if (pending) return pending;
      const request = acquireOnce(tenantId).finally(() => {
        if (inFlight.get(key) === request) inFlight.delete(key);
      });
      inFlight.set(key, request);
      return request;
    },
    forgetGraphToken(tenantId: string): void {
      const key = tenantId.toLowerCase();
      ownCredentials.set(key, buildCredential(options.credentials, options.authorityHost));
      inFlight.delete(key);
      options.logger.info({ event: 'graph.token_dropped', tenantId }, 'Graph refused the cached token; the next call asks Entra for a new one');
    },
  };
}

/** Both credential classes resolve to a token or throw; neither returns null as TokenCredential allows. */
type ConfidentialCredential = ClientSecretCredential | ClientCertificateCredential;

function buildCredential(credentials: DefenderCredentials, authorityHost: string): ConfidentialCredential {
  const options = {
    authorityHost,
    additionallyAllowedTenants: ['*'],
    disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase()),
  };
  if (credentials.kind === 'secret') {
    return new ClientSecretCredential(PLACEHOLDER_HOME_TENANT, credentials.clientId, credentials.secret, options);
  }
  return new ClientCertificateCredential(PLACEHOLDER_HOME_TENANT, credentials.clientId, { certificatePath: credentials.certificatePath }, options);
}

interface AcquireArgs {
  credential: ConfidentialCredential;
  tenantId: string;
  timeoutMs: number;
  authorityHost: string;
  logger: Logger;
}

async function acquireToken({ credential, tenantId, timeoutMs, authorityHost, logger }: AcquireArgs): Promise<GraphAccessToken> {
  checkTenantId(tenantId);
  try {
    const accessToken = await withTimeout(credential.getToken(GRAPH_SCOPE, { tenantId }), timeoutMs, tenantId);
    const graphToken = toGraphToken(accessToken, tenantId, logger);
    logger.debug({ tenantId, tid: graphToken.tenantId, roles: graphToken.roles, expiresOnMs: graphToken.expiresOnMs }, 'Graph token ready');
    return graphToken;
  } catch (error) {
    const failure = isEndpointResolutionFailure(error) ? await diagnoseDiscovery(authorityHost, tenantId, timeoutMs, error) : toEntraFailure(error, tenantId);
    const aadsts = failure instanceof EntraError ? failure.aadsts : undefined;
    logger.warn({ tenantId, code: failure.code, aadsts, detail: failure.message }, 'Graph token request failed');
    throw failure;
  }
}

/** Refuses names that are not a tenant before MSAL builds a URL from them. */
function checkTenantId(tenantId: string): void {
  if (SHARED_TENANTS.has(tenantId.toLowerCase())) {
    throw new EntraError({
      facts: { description: `shared endpoint '${tenantId}' requested` },
      audience: 'operator',
      userMessage: 'SOC Bridge needs a customer tenant id here, not a shared Entra endpoint (common, organizations or consumers). An MSSP operator must check the tenant id stored for this customer.',
    });
  }
  if (!TENANT_ID.test(tenantId)) {
    throw new EntraError({
      facts: { description: 'malformed tenant id requested' },
      audience: 'customer',
      userMessage: "That is not a tenant id. Use the customer's tenant GUID or one of its verified domains (e.g. contoso.onmicrosoft.com).",
    });
  }
}

/** Rejects with ExternalUnreachableError when `promise` takes longer than `timeoutMs` (MSAL ignores abort signals). */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, tenantId: string): Promise<T> {
  if (await stopWithin(timeoutMs, promise)) return promise;
  throw unreachable(tenantId, new Error(`token request timed out after ${timeoutMs} ms`));
}

/**
 * MSAL reports an unknown tenant and an unreachable Entra alike (`endpoints_resolution_error`),
 * so ask the tenant's OpenID configuration ourselves: Entra answers an unknown tenant with AADSTS90002.
 */
async function diagnoseDiscovery(authorityHost: string, tenantId: string, timeoutMs: number, original: unknown): Promise<EntraError | ExternalUnreachableError> {
  const url = `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return unreachable(tenantId, original);
    const body: unknown = await response.json().catch(() => undefined);
    return entraFailureFromBody(response.status, body, tenantId);
  } catch (error) {
    return unreachable(tenantId, error);
  }
}

function toGraphToken(accessToken: AccessToken, requestedTenant: string, logger: Logger): GraphAccessToken {
  const claims = readClaims(accessToken.token);
  if (claims.tid === undefined) logger.warn({ tenantId: requestedTenant }, 'Graph token carries no readable tid claim; using the requested tenant id');
  return {
    token: accessToken.token,
    expiresOnMs: accessToken.expiresOnTimestamp,
    tenantId: claims.tid ?? requestedTenant,
    roles: claims.roles ?? [],
  };
}

/** Reads `tid` and `roles` without verifying the signature: the token came straight from Entra over TLS. */
function readClaims(token: string): z.infer<typeof TokenClaims> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const parsed = TokenClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
