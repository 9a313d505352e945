import { z } from 'zod/v4';
import { entraFailureFromBody, unreachable } from '../defender/entra-errors.js';
import { GUID_PATTERN as GUID } from '../text/ids.js';

/** Finds a customer's Entra tenant id before any consent exists. */
export interface TenantLookup {
  /** The tenant GUID for a GUID or a verified domain; EntraError (AADSTS90002) when Entra knows no such tenant. */
  tenantIdOf(ref: string): Promise<string>;
}

const OpenIdConfiguration = z.looseObject({ token_endpoint: z.url() });

/**
 * Entra's public OpenID configuration of `/{tenant}/v2.0` names the tenant's GUID in its
 * endpoints, whether it was asked by GUID or by domain, and answers AADSTS90002 for unknown ones.
 * It needs no credentials, so it works before the customer has consented.
 */
export function createTenantLookup({ authorityHost, timeoutMs = 10_000 }: { authorityHost: string; timeoutMs?: number }): TenantLookup {
  const base = authorityHost.replace(/\/+$/, '');
  return {
    async tenantIdOf(ref: string): Promise<string> {
      const url = `${base}/${encodeURIComponent(ref)}/v2.0/.well-known/openid-configuration`;
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw unreachable(ref, error);
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) throw entraFailureFromBody(response.status, body, ref);
      const parsed = OpenIdConfiguration.safeParse(body);
      const tenantId = parsed.success ? new URL(parsed.data.token_endpoint).pathname.split('/').filter(Boolean)[0] : undefined;
      if (!tenantId || !GUID.test(tenantId)) throw unreachable(ref, new Error('the OpenID configuration names no tenant id'));
      return tenantId.toLowerCase();
    },
  };
}
