import { ExternalRejectedError, ExternalUnreachableError } from '../errors.js';

/**
 * Turns what @azure/identity (and MSAL inside it) throws into SOC Bridge's error hierarchy.
 * MSAL keeps only the text of Entra's answer (`unauthorized_client: Error(s): 700016 - … AADSTS700016: …`),
 * so the AADSTS code is read from structured fields when present and from that text otherwise.
 */

/** Who has to act on an Entra refusal: the customer's admin (onboarding chat) or the MSSP operator. */
export type EntraAudience = 'customer' | 'operator';

/** What a token failure tells us, whichever shape it arrived in. */
export interface EntraFailureFacts {
  aadsts: number | undefined;
  oauthError: string | undefined;
  status: number | undefined;
  correlationId: string | undefined;
  description: string | undefined;
}

/** Entra refused a token: the AADSTS code, who must act, and a chat-safe sentence saying what to do. */
export class EntraError extends ExternalRejectedError {
  readonly aadsts: number | undefined;
  readonly audience: EntraAudience;
  readonly tenantId: string | undefined;

  constructor(args: { facts: Partial<EntraFailureFacts>; tenantId?: string; userMessage?: string; audience?: EntraAudience }) {
    const { facts, tenantId } = args;
    super({
      service: 'entra',
      status: facts.status ?? statusForOAuthError(facts.oauthError),
      userMessage: args.userMessage ?? userMessageFor(facts.aadsts, tenantLabel(tenantId)),
      serviceCode: facts.aadsts === undefined ? facts.oauthError : `AADSTS${facts.aadsts}`,
      requestId: facts.correlationId,
      detail: describeForLog(facts, tenantId),
    });
    this.aadsts = facts.aadsts;
    this.audience = args.audience ?? audienceOf(facts.aadsts);
    this.tenantId = tenantId;
  }
}

const CUSTOMER_CODES = new Set([700016, 65001, 65004, 90094, 650056, 650057, 90099, 53003, 500011, 90002]);
const TRANSIENT_CODES = new Set([90033, 50196, 900561]);
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'server_error']);
const NETWORK_FAILURE = /network_error|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed/i;
const ENDPOINTS_UNRESOLVED = /endpoints_resolution_error/;

/** Customer-facing codes go to the onboarding chat; everything else (secrets, request bugs, unknown codes) to the operator. */
export function audienceOf(aadsts: number | undefined): EntraAudience {
  return aadsts !== undefined && CUSTOMER_CODES.has(aadsts) ? 'customer' : 'operator';
}

/** True when MSAL could not read the tenant's OpenID configuration (unknown tenant or Entra unreachable: MSAL does not say which). */
export function isEndpointResolutionFailure(error: unknown): boolean {
  return error instanceof Error && ENDPOINTS_UNRESOLVED.test(error.message) && readFacts(error).aadsts === undefined;
}

/** Converts any failure of a token request for `tenantId` into an EntraError or an ExternalUnreachableError. */
export function toEntraFailure(error: unknown, tenantId?: string): EntraError | ExternalUnreachableError {
  if (error instanceof EntraError || error instanceof ExternalUnreachableError) return error;
  const facts = readFacts(error);
  if (isTransient(facts) || (facts.aadsts === undefined && isNetworkFailure(error))) return unreachable(tenantId, error);
  if (facts.aadsts === undefined) return unclassified(error, facts, tenantId);
  return new EntraError({ facts, tenantId });
}

/** Converts an Entra JSON error body (e.g. from the OpenID configuration endpoint) into the same errors. */
export function entraFailureFromBody(status: number, body: unknown, tenantId?: string): EntraError | ExternalUnreachableError {
  const facts = { ...factsFrom(body, BODY_KEYS), status };
  if (status >= 500 || isTransient(facts)) return unreachable(tenantId, undefined);
  return new EntraError({ facts, tenantId });
}

/** The error for "Entra did not answer": network failures, timeouts, 5xx and temporarily_unavailable. */
export function unreachable(tenantId: string | undefined, cause: unknown): ExternalUnreachableError {
  return new ExternalUnreachableError(
    'entra',
    `Entra ID could not be reached for a token for ${tenantLabel(tenantId)}. SOC Bridge will try again; if this lasts, check the network path to Entra ID.`,
    cause,
  );
}

function unclassified(error: unknown, facts: EntraFailureFacts, tenantId: string | undefined): EntraError {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const description = facts.description ?? `${name}: ${message}`;
  return new EntraError({ facts: { ...facts, description }, tenantId, audience: 'operator' });
}

function isTransient(facts: EntraFailureFacts): boolean {
  if (facts.status !== undefined && facts.status >= 500) return true;
  if (facts.aadsts !== undefined && TRANSIENT_CODES.has(facts.aadsts)) return true;
  return facts.oauthError !== undefined && TRANSIENT_OAUTH_ERRORS.has(facts.oauthError);
}

function isNetworkFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (NETWORK_FAILURE.test(current.message) || (typeof code === 'string' && NETWORK_FAILURE.test(code))) return true;
    if (ENDPOINTS_UNRESOLVED.test(current.message)) return true;
  }
  return false;
}

/** Reads the facts from an AuthenticationError's `errorResponse`, a raw Entra body, or MSAL's message text. */
function readFacts(error: unknown): EntraFailureFacts {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const status = typeof record.statusCode === 'number' ? record.statusCode : undefined;
  const structured = isRecord(record.errorResponse) ? factsFrom(record.errorResponse, RESPONSE_KEYS) : factsFrom(record, BODY_KEYS);
  const fromText = factsFromText(error instanceof Error ? error.message : typeof error === 'string' ? error : '');
  return {
    aadsts: structured.aadsts ?? fromText.aadsts,
    oauthError: structured.oauthError ?? fromText.oauthError,
    status,
    correlationId: structured.correlationId ?? fromText.correlationId,
    description: structured.description ?? fromText.description,
  };
}

/** Where an Entra error's facts sit: MSAL's parsed `errorResponse` uses camelCase, the raw body snake_case. */
const RESPONSE_KEYS = { codes: 'errorCodes', description: 'errorDescription', correlationId: 'correlationId' } as const;
const BODY_KEYS = { codes: 'error_codes', description: 'error_description', correlationId: 'correlation_id' } as const;

function factsFrom(value: unknown, keys: typeof RESPONSE_KEYS | typeof BODY_KEYS): EntraFailureFacts {
  const record = isRecord(value) ? value : {};
  const codes = record[keys.codes];
  const description = typeof record[keys.description] === 'string' ? (record[keys.description] as string) : undefined;
  const correlationId = record[keys.correlationId];
  return {
    aadsts: firstCode(Array.isArray(codes) ? codes : []) ?? codeInText(description),
    oauthError: typeof record.error === 'string' ? record.error : undefined,
    status: undefined,
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    description,
  };
}

function factsFromText(text: string): EntraFailureFacts {
  const listed = /Error\(s\):\s*(\d+)/.exec(text)?.[1];
  const leading = /^([a-z][a-z_]+):/.exec(text)?.[1];
  return {
    aadsts: codeInText(text) ?? (listed === undefined ? undefined : Number(listed)),
    oauthError: leading,
    status: undefined,
    correlationId: /Correlation ID:\s*([0-9a-f-]{36})/i.exec(text)?.[1],
    description: /(AADSTS\d+:[^\r\n]*?)(?:\s+-\s+Correlation ID|\s+Trace ID|$)/.exec(text)?.[1],
  };
}

function codeInText(text: string | undefined): number | undefined {
  const match = text === undefined ? undefined : /AADSTS(\d{4,7})/.exec(text)?.[1];
  return match === undefined ? undefined : Number(match);
}

function firstCode(codes: unknown[]): number | undefined {
  const first = codes[0];
  return typeof first === 'number' && Number.isInteger(first) ? first : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Entra answers `invalid_client` with 401 and its other refusals with 400; MSAL drops the status, so infer it. */
function statusForOAuthError(oauthError: string | undefined): number {
  return oauthError === 'invalid_client' ? 401 : 400;
}

/** Only ids that look like a GUID or a domain are echoed into chat text; anything else is untrusted input. */
function tenantLabel(tenantId: string | undefined): string {
  return tenantId !== undefined && /^[0-9a-z][0-9a-z.-]{0,252}$/i.test(tenantId) ? tenantId : 'this tenant';
}

const JWT_LIKE = /eyJ[\w-]+\.[\w-]*\.?[\w-]*/g;

function describeForLog(facts: Partial<EntraFailureFacts>, tenantId: string | undefined): string {
  const code = facts.aadsts === undefined ? 'no AADSTS code' : `AADSTS${facts.aadsts}`;
  const description = (facts.description ?? '').replace(JWT_LIKE, '[token]').slice(0, 400);
  return `Entra ID refused a token for tenant ${tenantId ?? '(none)'}: ${code} (${facts.oauthError ?? 'no error string'}) ${description}`.trim();
}

function userMessageFor(aadsts: number | undefined, tenant: string): string {
  const consent = `\`consent ${tenant}\``;
  switch (aadsts) {
    case 700016:
      return `SOC Bridge is not consented in this customer's tenant (${tenant}). Send the customer admin a fresh consent card (${consent}).`;
    case 65001:
      return `No administrator of tenant ${tenant} has consented to SOC Bridge yet. Send the customer admin a consent card (${consent}).`;
    case 65004:
      return `The customer admin of tenant ${tenant} declined consent for SOC Bridge. Explain why it is needed, then send the consent card again (${consent}).`;
    case 90094:
      return `Tenant ${tenant} needs an administrator to consent to SOC Bridge. Send the consent card (${consent}) to a Global or Privileged Role Administrator of that tenant.`;
    case 650056:
    case 650057:
      return `A permission SOC Bridge needs is missing from its app registration or was not consented in tenant ${tenant}. The MSSP operator checks the app's API permissions; then the customer admin consents again (${consent}).`;
    case 90099:
      return `Tenant ${tenant} does not let partner admins authorize SOC Bridge. A customer administrator must consent to the app themselves (${consent}).`;
    case 53003:
      return `A Conditional Access policy in tenant ${tenant} blocks SOC Bridge from signing in. Ask the customer admin to review their Conditional Access policies for the SOC Bridge app.`;
    case 500011:
      return `Microsoft Graph is not available to SOC Bridge in tenant ${tenant}. Check the tenant id, then ask the customer admin to consent again (${consent}).`;
    case 90002:
      return `Entra ID does not know tenant ${tenant}. Check the customer's tenant id (its GUID or a verified domain) stored in SOC Bridge.`;
    case 7000215:
      return 'Entra ID rejected SOC Bridge\'s client secret. An MSSP operator must correct DEFENDER_CLIENT_SECRET (the secret value, not its id) or rotate the secret.';
    case 7000222:
      return 'SOC Bridge\'s client secret has expired. An MSSP operator must create a new secret on the app registration and update DEFENDER_CLIENT_SECRET (or switch to a certificate).';
    case 7000218:
      return 'SOC Bridge sent Entra ID neither a client secret nor a certificate. An MSSP operator must set DEFENDER_CLIENT_SECRET or DEFENDER_CERTIFICATE_PATH.';
    case 700027:
      return 'Entra ID rejected SOC Bridge\'s certificate. An MSSP operator must check that DEFENDER_CERTIFICATE_PATH holds the certificate uploaded to the app registration and that it has not expired.';
    case 70011:
      return 'Entra ID rejected the permission scope SOC Bridge asked for. An MSSP operator must check the Entra authority setting; SOC Bridge only requests https://graph.microsoft.com/.default.';
    case 700022:
      return 'SOC Bridge asked Entra ID for scopes of several resources at once. This is a bug; the MSSP operators should report it.';
    case 9001023:
      return 'SOC Bridge asked for a token on a shared Entra endpoint instead of the customer\'s tenant. An MSSP operator must check the tenant id stored for this customer.';
    case undefined:
      return `SOC Bridge could not get a Microsoft Graph token for ${tenant}. The MSSP operators can find the details in the log.`;
    default:
      return `Entra ID refused SOC Bridge a token for ${tenant} (AADSTS${aadsts}). An MSSP operator can look the code up at https://login.microsoftonline.com/error?code=${aadsts}.`;
  }
}
