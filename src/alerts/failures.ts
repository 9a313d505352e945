import { ExternalRejectedError, isSocBridgeError, userFacingMessage } from '../errors.js';
import { EntraError } from '../defender/entra-errors.js';

/** How a failed call to a customer tenant is recorded against that tenant. */
export interface TenantFailure {
  readonly code: string;
  readonly message: string;
  /** Only a person can fix it (consent revoked, permission missing): the tenant needs attention. */
  readonly needsAttention: boolean;
}

export function tenantFailureOf(error: unknown, reference: string): TenantFailure {
  const message = userFacingMessage(error, reference);
  if (error instanceof EntraError) {
    return { code: `entra.${error.aadsts ?? error.serviceCode ?? 'error'}`, message, needsAttention: true };
  }
  if (error instanceof ExternalRejectedError && error.service === 'graph') {
    return { code: `graph.${error.status}`, message, needsAttention: error.status === 401 || error.status === 403 };
  }
  return { code: isSocBridgeError(error) ? error.code : 'internal', message, needsAttention: false };
}
