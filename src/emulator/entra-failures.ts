import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GRAPH_DEFAULT_SCOPE } from './entra-directory.js';

/** A refusal in the shape of Entra's OAuth error bodies. */
export interface OAuthFailure {
  status: number;
  error: string;
  aadsts: number;
  text: string;
  headers?: Record<string, string>;
}

/** The JSON body Entra answers a refusal with: AADSTS code, description with trace and correlation ids, timestamp. */
export function oauthErrorBody(failure: OAuthFailure, req: IncomingMessage, now: Date): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = clientRequestId(req) ?? randomUUID();
  const timestamp = entraTimestamp(now);
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

export function tenantNotFound(segment: string, error: string): OAuthFailure {
  return {
    status: 400,
    error,
    aadsts: 90002,
    text: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  };
}

export function sharedEndpointRefused(): OAuthFailure {
  return { status: 400, error: 'invalid_request', aadsts: 9001023, text: 'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.' };
}

export function appNotInTenant(clientId: string, tenantId: string): OAuthFailure {
  return {
    status: 400,
    error: 'unauthorized_client',
    aadsts: 700016,
    text: `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  };
}

export function invalidScope(scope: string): OAuthFailure {
  return { status: 400, error: 'invalid_scope', aadsts: 70011, text: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '${scope}'. The scope ${GRAPH_DEFAULT_SCOPE} is the only one this app may request.` };
}

export function assertionRefused(problem: string): OAuthFailure {
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
