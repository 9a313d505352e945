import type { Clock } from '../clock.js';
import type { DefenderCredentials } from '../config.js';
import { GraphSecurityClient } from '../defender/graph-client.js';
import { createGraphTokenProvider, type GraphAccessToken } from '../defender/token-provider.js';
import type { Logger } from '../log.js';

/**
 * Proof that SOC Bridge can reach a customer tenant now. The shared token provider caches a token
 * per tenant for up to an hour, so right after (re)consent it could answer with an old token and
 * old roles, or hide a revoked consent; the probe always asks Entra afresh.
 */
export interface AccessProbe {
  /** A token acquired now, never from a cache: its `roles` are what the tenant grants today. */
  freshToken(tenantId: string): Promise<GraphAccessToken>;
  /** One real Graph call with that token (the newest alert, if any). */
  readAlerts(tenantId: string, token: string): Promise<void>;
}

export function createAccessProbe(deps: { credentials: DefenderCredentials; authorityHost: string; graphBaseUrl: string; clock: Clock; logger: Logger }): AccessProbe {
  return {
    freshToken: (tenantId) => createGraphTokenProvider({ credentials: deps.credentials, authorityHost: deps.authorityHost, logger: deps.logger, timeoutMs: 15_000 }).getGraphToken(tenantId),
    readAlerts: async (tenantId, token) => {
      const graph = new GraphSecurityClient({
        baseUrl: deps.graphBaseUrl,
        // The probe's token is its own and used once: there is no cache to drop.
        tokens: { getGraphToken: async () => ({ token }), forgetGraphToken: () => undefined },
        clock: deps.clock,
        logger: deps.logger,
        maxAttempts: 2,
        maxThrottledRetries: 1,
        requestTimeoutMs: 10_000,
      });
      await graph.listAlerts(tenantId, {}, { pageSize: 1 });
    },
  };
}
