import { AUDIT_LOG } from './audit/audit-schema.js';
import { CONVERSATIONS } from './conversations/conversation-schema.js';
import { DELIVERY_RECORD_SET } from './delivery/ledger.js';
import { ESCALATION_RECORD_SET } from './escalation/escalation-schema.js';
import { SETTINGS } from './notify/settings-schema.js';
import { SHARED_SECRETS } from './onboarding/state-secret.js';
import { ONBOARDING_RECORDS } from './onboarding/store-schema.js';
import { ROLE_ASSIGNMENTS } from './roles/role-schema.js';
import { CHANNEL_LINKS, NOTIFICATION_RULES } from './routing/store-schema.js';
import type { StateCatalog } from './store/copy-store.js';
import { TENANTS } from './tenants/tenant-schema.js';
import { SUMMARY_SCHEDULES } from './summaries/summary-schema.js';

/**
 * Everything a deployment keeps, capability by capability: what `import-store` copies. A new
 * capability that stores something adds its collection, log or record set here.
 */
export const STATE_CATALOG: StateCatalog = {
  collections: [TENANTS, ROLE_ASSIGNMENTS, CONVERSATIONS, CHANNEL_LINKS, NOTIFICATION_RULES, ONBOARDING_RECORDS, SETTINGS, SHARED_SECRETS, SUMMARY_SCHEDULES],
  logs: [AUDIT_LOG],
  recordSets: [DELIVERY_RECORD_SET, ESCALATION_RECORD_SET],
};
