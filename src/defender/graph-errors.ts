import { z } from 'zod/v4';
import { ExternalRejectedError, ExternalUnreachableError, NotFoundError, type SocBridgeError } from '../errors.js';

/**
 * Turns Graph's answers into the product's typed errors. User messages say what happened and
 * what to do; Graph's own text is untrusted (it can echo request data) and goes to `detail` only.
 */

/** What the client was doing, for messages and logs. */
export interface GraphOperation {
  /** Reads need SecurityAlert.Read.All (or SecurityIncident.Read.All); writes need the ReadWrite permission. */
  access: 'read' | 'write';
  /** Which API: alerts (the default) or incidents, whose permissions differ. */
  resource?: 'alerts' | 'incidents';
  /** A short phrase, e.g. "list alerts". */
  name: string;
  alertId?: string;
  incidentId?: string;
}

const GraphErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string().optional(),
    message: z.string().optional(),
    innerError: z.looseObject({ 'request-id': z.string().optional() }).optional(),
    innererror: z.looseObject({ 'request-id': z.string().optional() }).optional(),
  }),
});

/** Graph's error code, message and request id, whichever of them the body carries. */
export interface GraphErrorInfo {
  code: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
}

/** Reads a Graph error body (either spelling of `innerError`); tolerates bodies that are not one. */
export function readGraphError(body: unknown, requestIdHeader: string | null): GraphErrorInfo {
  const parsed = GraphErrorBodySchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const inner = error?.innerError ?? error?.innererror;
  return {
    code: error?.code,
    message: error?.message,
    requestId: requestIdHeader ?? inner?.['request-id'],
  };
}

function userMessageFor(status: number, op: GraphOperation, tenantId: string, reference: string): string {
  if (status === 401) {
    return `Microsoft Graph refused SOC Bridge's credentials for tenant ${tenantId}${reference}. The app's secret or certificate may have expired, or the tenant removed the app; an admin should check the tenant's connection.`;
  }
  if (status === 403) {
    const family = op.resource === 'incidents' ? 'SecurityIncident' : 'SecurityAlert';
    return op.access === 'write'
      ? `The customer has not granted ${family}.ReadWrite.All in tenant ${tenantId}, so SOC Bridge cannot ${op.name}${reference}. Ask the customer's admin to grant admin consent again with that permission.`
      : `The customer has not granted ${family}.Read.All (or ${family}.ReadWrite.All) in tenant ${tenantId}, so SOC Bridge cannot ${op.name}${reference}. Ask the customer's admin to grant admin consent again.`;
  }
  if (status === 400) {
    return `Microsoft Graph rejected the request to ${op.name} in tenant ${tenantId} as invalid${reference}. The values used may not be supported; the operators can find Graph's explanation in the log.`;
  }
  return `Microsoft Graph refused to ${op.name} in tenant ${tenantId} (HTTP ${status})${reference}.`;
}

/** The typed error for a final 4xx answer. */
export function rejectionError(status: number, op: GraphOperation, tenantId: string, info: GraphErrorInfo): SocBridgeError {
  if (status === 404 && op.alertId !== undefined) {
    return new NotFoundError(`No alert ${op.alertId} in tenant ${tenantId}: it may have been removed, or it belongs to another tenant.`);
  }
  if (status === 404 && op.incidentId !== undefined) {
    return new NotFoundError(`No incident ${op.incidentId} in tenant ${tenantId}: it may have been removed, or it belongs to another tenant.`);
  }
  const reference = info.requestId ? ` (Graph request id ${info.requestId})` : '';
  return new ExternalRejectedError({
    service: 'graph',
    status,
    serviceCode: info.code,
    requestId: info.requestId,
    userMessage: userMessageFor(status, op, tenantId, reference),
    detail: `Graph ${status} ${info.code ?? ''} on ${op.name} in tenant ${tenantId}: ${info.message ?? '(no message)'}`,
  });
}

/** The typed error for an answer whose body is not what Graph documents. */
export function malformedResponseError(op: GraphOperation, tenantId: string, status: number, problem: string, requestId?: string): ExternalRejectedError {
  return new ExternalRejectedError({
    service: 'graph',
    status,
    requestId,
    userMessage: `Microsoft Graph sent an answer SOC Bridge could not read when trying to ${op.name} in tenant ${tenantId}. Nothing was changed on our side; the operators can find the details in the log.`,
    detail: `malformed Graph response on ${op.name} in tenant ${tenantId}: ${problem}`,
  });
}

/** The typed error when retries ran out on throttling, 5xx answers, timeouts or network errors. */
export function unreachableError(op: GraphOperation, tenantId: string, attempts: number, lastProblem: string, cause?: unknown): ExternalUnreachableError {
  const error = new ExternalUnreachableError(
    'graph',
    `Microsoft Graph did not complete the request to ${op.name} in tenant ${tenantId} after ${attempts} attempts (${lastProblem}). Try again in a few minutes.`,
    cause,
  );
  return error;
}
