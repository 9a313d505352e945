import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { RoleService } from '../roles/role-service.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { Storage } from '../store/storage.js';
import type { TenantLifecycle } from '../tenants/tenant-lifecycle.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { AccessGuide } from './access-guide.js';
import type { AccessProbe } from './access-probe.js';
import { ConsentCallback } from './consent-callback.js';
import { ConsentFlow, type ConsentSettings } from './consent-flow.js';
import { ConsentStateSigner } from './consent-state.js';
import { TenantDiagnostics } from './diagnostics.js';
import { Offboarding } from './offboarding.js';
import { OnboardingRecords } from './onboarding-records.js';
import type { OnboardingRecord } from './store-schema.js';
import type { TenantLookup } from './tenant-lookup.js';
import { accessGuideLine } from './views.js';

export interface OnboardingDeps {
  readonly storage: Storage;
  readonly tenants: TenantRegistry;
  readonly roles: RoleService;
  readonly conversations: ConversationRegistry;
  readonly messenger: Messenger;
  readonly soc: SocNotifier;
  readonly audit: AuditLog;
  readonly probe: AccessProbe;
  readonly lookup: TenantLookup;
  /** Told when a tenant is offboarded, so other parts undo what they hold for it (channel links). */
  readonly lifecycle: TenantLifecycle;
  /** Signs consent links' state (CONSENT_STATE_SECRET, or the sandbox's own). */
  readonly stateSecret: string;
  readonly settings: ConsentSettings;
  /** Requests the shared Graph client would still admit for a tenant this minute. */
  readonly rateHeadroom: (tenantId: string) => Promise<number>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Customer onboarding in chat: consent cards and their callback, the access-grant guide,
 * diagnostics and offboarding, sharing one record per customer tenant (OnboardingRecords).
 */
export class OnboardingService {
  readonly flow: ConsentFlow;
  readonly callback: ConsentCallback;
  readonly guide: AccessGuide;
  readonly diagnostics: TenantDiagnostics;
  readonly offboarding: Offboarding;
  private readonly records: OnboardingRecords;

  constructor(deps: OnboardingDeps) {
    const { storage, tenants, roles, conversations, messenger, soc, clock, logger } = deps;
    const records = new OnboardingRecords({ storage, clock });
    const signer = new ConsentStateSigner(deps.stateSecret);
    this.records = records;
    this.guide = new AccessGuide({ records, tenants, conversations, messenger, soc, clock, logger });
    this.flow = new ConsentFlow({ records, tenants, roles, conversations, messenger, soc, probe: deps.probe, lookup: deps.lookup, signer, guide: this.guide, settings: deps.settings, clock, logger });
    this.callback = new ConsentCallback({ flow: this.flow, records, tenants, signer, soc, clock, logger });
    this.diagnostics = new TenantDiagnostics({ records, tenants, probe: deps.probe, rateHeadroom: deps.rateHeadroom, clock, logger });
    this.offboarding = new Offboarding({ records, tenants, roles, audit: deps.audit, lifecycle: deps.lifecycle, soc, clientId: deps.settings.clientId, clock, logger });
  }

  /**
   * The tenant's onboarding record (the consent link that works now, the consent answer, access-guide
   * progress, history), or undefined when it was not onboarded through SOC Bridge.
   */
  recordOf(tenantId: string): OnboardingRecord | undefined {
    return this.records.get(tenantId);
  }

  /** Where the customer is with the access-grant guide, for `tenants`. */
  accessGuideLine(tenant: TenantRecord): string {
    return accessGuideLine(this.records.get(tenant.tenantId));
  }
}
