import { randomBytes } from 'node:crypto';
import { tenantFailureOf, type TenantFailure } from '../alerts/failures.js';
import type { Clock } from '../clock.js';
import { EntraError } from '../defender/entra-errors.js';
import type { Logger } from '../log.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { AccessProbe } from './access-probe.js';
import { assessRoles, READ_ROLE, type AccessAssessment } from './permissions.js';
import type { RequestedAccess } from './store-schema.js';

/** Where a check stopped: no token, a token for another tenant, no read permission, or Graph said no. */
export type CheckStage = 'token' | 'tenant' | 'permission' | 'graph';

export type AccessCheck =
  | { readonly ok: true; readonly tokenTenantId: string; readonly roles: readonly string[]; readonly expiresOnMs: number; readonly assessment: AccessAssessment }
  | {
      readonly ok: false;
      readonly stage: CheckStage;
      /** A sentence for chat and the callback page. */
      readonly message: string;
      /** How the failure is recorded against the tenant. */
      readonly failure: TenantFailure;
      readonly roles?: readonly string[];
      readonly assessment?: AccessAssessment;
    };

/**
 * Right after consent Entra may not have created the app's service principal everywhere yet, and
 * answers as if there were no consent; these codes are worth a second try before giving up.
 */
const NOT_REPLICATED_YET = new Set([700016, 65001, 500011]);

/**
 * Proves access to the tenant SOC Bridge expects, never to the one a redirect claims: a token
 * acquired for that tenant, whose `tid` must be that tenant and whose `roles` must allow reading,
 * then a real Graph call with it.
 */
export async function checkAccess(args: {
  probe: AccessProbe;
  tenant: TenantRecord;
  requested: RequestedAccess;
  clock: Clock;
  logger: Logger;
  /** Waits between retries while consent replicates; none for an on-demand check. */
  retryDelaysMs?: readonly number[];
}): Promise<AccessCheck> {
  const { probe, tenant, requested, clock, logger } = args;
  let token;
  for (let attempt = 0; ; attempt++) {
    try {
      token = await probe.freshToken(tenant.tenantId);
      break;
    } catch (error) {
      const wait = args.retryDelaysMs?.[attempt];
      if (wait !== undefined && error instanceof EntraError && error.aadsts !== undefined && NOT_REPLICATED_YET.has(error.aadsts)) {
        await clock.sleep(wait);
        continue;
      }
      return failed('token', error, tenant, logger);
    }
  }
  if (token.tenantId.toLowerCase() !== tenant.tenantId) {
    const message = `Entra ID issued a token for tenant ${token.tenantId.slice(0, 40)}, not for ${tenant.displayName} (${tenant.tenantId}). Nothing was connected; an MSSP operator should check the tenant id stored for this customer.`;
    return { ok: false, stage: 'tenant', message, failure: { code: 'onboarding.tenant_mismatch', message, needsAttention: true } };
  }
  const assessment = assessRoles(token.roles, requested, tenant.handle);
  if (!assessment.canRead) {
    const message = `The consent did not grant ${READ_ROLE}, so SOC Bridge cannot read ${tenant.displayName}'s alerts. Granted: ${token.roles.length ? token.roles.join(', ') : 'no application permissions'}. The MSSP checks that its app registration lists ${READ_ROLE}, then the customer admin consents again.`;
    return { ok: false, stage: 'permission', message, failure: { code: 'onboarding.permission_missing', message, needsAttention: true }, roles: token.roles, assessment };
  }
  try {
    await probe.readAlerts(tenant.tenantId, token.token);
  } catch (error) {
    return { ...failed('graph', error, tenant, logger), roles: token.roles, assessment };
  }
  return { ok: true, tokenTenantId: token.tenantId.toLowerCase(), roles: token.roles, expiresOnMs: token.expiresOnMs, assessment };
}

function failed(stage: CheckStage, error: unknown, tenant: TenantRecord, logger: Logger): Extract<AccessCheck, { ok: false }> {
  const reference = randomBytes(4).toString('hex');
  const failure = tenantFailureOf(error, reference);
  logger.warn({ event: 'onboarding.access_check_failed', tenant: tenant.handle, stage, code: failure.code, reference, err: error }, 'access check failed');
  return { ok: false, stage, message: failure.message, failure };
}
