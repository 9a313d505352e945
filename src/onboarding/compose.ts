import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { GraphSecurityClient } from '../defender/graph-client.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { RoleService } from '../roles/role-service.js';
import type { DefenderEndpoints } from '../sandbox/sandbox.js';
import type { Store } from '../store/store.js';
import { TenantLifecycle } from '../tenants/tenant-lifecycle.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { createAccessProbe } from './access-probe.js';
import { CONSENT_CALLBACK_PATH } from './callback-page.js';
import { unlinkChannelsOnOffboard, type TenantLinks } from './offboard-links.js';
import { OnboardingService } from './onboarding-service.js';
import { loadOrCreateStateSecret } from './state-secret.js';
import { createTenantLookup } from './tenant-lookup.js';

/** Waits between token attempts right after consent, while Entra creates the app's service principal. */
const PROOF_RETRY_DELAYS_MS = [1_000, 3_000];

/** Builds onboarding for the composition root; offboarding a tenant also removes its channel links. */
export function createOnboarding(deps: {
  config: AppConfig;
  endpoints: DefenderEndpoints;
  store: Store;
  tenants: TenantRegistry;
  roles: RoleService;
  conversations: ConversationRegistry;
  messenger: Messenger;
  soc: SocNotifier;
  audit: AuditLog;
  graph: GraphSecurityClient;
  links: TenantLinks;
  clock: Clock;
  logger: Logger;
}): OnboardingService {
  const { config, endpoints, clock, logger } = deps;
  const lifecycle = new TenantLifecycle(logger);
  lifecycle.add(unlinkChannelsOnOffboard(deps.links));
  return new OnboardingService({
    ...deps,
    lifecycle,
    probe: createAccessProbe({ credentials: endpoints.credentials, authorityHost: endpoints.authorityHost, graphBaseUrl: endpoints.graphBaseUrl, clock, logger }),
    lookup: createTenantLookup({ authorityHost: endpoints.authorityHost }),
    stateSecret: config.consent.stateSecret ?? loadOrCreateStateSecret(config.dataDir),
    settings: {
      authorityHost: endpoints.authorityHost,
      clientId: endpoints.credentials.clientId,
      redirectUri: `${config.publicBaseUrl}${CONSENT_CALLBACK_PATH}`,
      linkTtlMs: config.consent.linkTtlMs,
      proofRetryDelaysMs: PROOF_RETRY_DELAYS_MS,
    },
    rateHeadroom: (tenantId) => deps.graph.rateHeadroom(tenantId),
  });
}
