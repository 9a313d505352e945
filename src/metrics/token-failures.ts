import type { GraphTokenProvider } from '../defender/token-provider.js';
import { SocBridgeError } from '../errors.js';

/** Called once per failed token request, with the failure's stable code. */
export type TokenFailureCounter = (tenantId: string, code: string) => void;

/**
 * The same token provider, counting its failures. Callers waiting on one request for a tenant all
 * get the same error object, so each failed request is counted once however many waited.
 */
export function countTokenFailures(provider: GraphTokenProvider, count: TokenFailureCounter): GraphTokenProvider {
  const counted = new WeakSet<object>();
  return {
    async getGraphToken(tenantId) {
      try {
        return await provider.getGraphToken(tenantId);
      } catch (error) {
        const key = typeof error === 'object' && error !== null ? error : undefined;
        if (!key || !counted.has(key)) {
          if (key) counted.add(key);
          count(tenantId, error instanceof SocBridgeError ? error.code : 'unexpected');
        }
        throw error;
      }
    },
    forgetGraphToken: (tenantId) => provider.forgetGraphToken(tenantId),
  };
}
