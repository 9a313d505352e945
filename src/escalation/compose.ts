import type { Clock } from '../clock.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { Alert } from '../defender/alert.js';
import type { CompanionContext, DeliveryCompanion, RoutedTarget } from '../delivery/ports.js';
import type { Logger } from '../log.js';
import type { NotificationRule } from '../routing/store-schema.js';
import type { CollectionReader, LeaseHolder, Storage } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { EscalationBook } from './escalation-book.js';
import { ESCALATION_RECORD_SET } from './escalation-schema.js';
import { EscalationScheduler } from './escalation-scheduler.js';

/**
 * Escalations as a companion of delivery: built each time this instance starts running delivery,
 * writing their records under the same lease as delivery's (`writer`, on a shared database).
 */
export function escalationCompanion(deps: {
  storage: Storage;
  writer: LeaseHolder | undefined;
  rules: CollectionReader<NotificationRule>;
  reach: { targetsOf(rule: NotificationRule, tenant: TenantRecord): readonly RoutedTarget[] };
  tenants: { find(ref: string): TenantRecord | undefined };
  conversations: { get(id: string): ConversationRecord | undefined };
  graph: { getAlert(tenantId: string, alertId: string): Promise<Alert> };
  clock: Clock;
  logger: Logger;
  retentionMs: number;
}): (delivery: CompanionContext) => DeliveryCompanion {
  const { storage, writer, logger, ...rest } = deps;
  return (delivery) => new EscalationScheduler({ ...rest, logger, delivery, book: new EscalationBook({ records: storage.recordSet(ESCALATION_RECORD_SET, writer), logger }) });
}
