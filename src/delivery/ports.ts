import type { Alert } from '../defender/alert.js';
import { DeliveryError } from '../errors.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { DeliveryOutcome } from './outcomes.js';
import type { SampleInfo } from './store-schema.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import type { Messenger } from '../conversations/messenger.js';
import type { CardMark, DeliveryRecord } from './store-schema.js';

/**
 * The seams between routing (channel links, notification rules, email) and delivery (poller,
 * outbox, send queues): routing decides where an alert goes, delivery gets it there once.
 */

/**
 * A place an alert can be delivered to: its kind (a key of the target registry) and that kind's
 * own fields, e.g. `{ kind: 'teams', conversationId }`, `{ kind: 'email', address }`.
 */
export interface DeliveryTarget {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * How alerts of one incident reach a target: `incident` — one incident card, later alerts in its
 * thread (or its alert list, where there are no threads); `alert` — one card per alert.
 */
export type DeliveryGrouping = 'incident' | 'alert';

/** One place an alert must go, and the rule that sent it there. */
export interface RoutedTarget {
  readonly target: DeliveryTarget;
  readonly ruleId: string;
  readonly options: ContentOptions;
  /** Absent: one card per alert. */
  readonly grouping?: DeliveryGrouping;
  /** `first`: only the incident card, no message per later alert. Absent: every alert. */
  readonly notify?: 'first' | 'every';
}

/** Decides where a tenant's alert goes. Never returns a conversation not linked to that tenant's customer. */
export interface AlertRouter {
  route(tenant: TenantRecord, alert: Alert): RoutedTarget[];
}

/** One sample `rule test` sends: a tenant's sample alert to one target of the rule. */
export interface SampleRequest {
  readonly tenant: TenantRecord;
  readonly alert: Alert;
  readonly routed: RoutedTarget;
}

/** What became of one sample, within the time `rule test` waits. */
export interface SampleResult {
  readonly routed: RoutedTarget;
  readonly outcome: DeliveryOutcome;
}

/** Sends `rule test` samples through the outbox, like any alert, and reports each one. */
export interface SampleDelivery {
  sendSamples(samples: readonly SampleRequest[], sample: SampleInfo): Promise<SampleResult[]>;
}

/** Marks a Teams conversation unusable for alerts (bot removed, channel deleted). */
export interface LinkHealth {
  /** Returns true when the conversation was healthy until now, so the SOC is told only once. */
  markBroken(conversationId: string, reason: string): Promise<boolean>;
}

/** Tells the SOC channel when delivery loses a target (src/notify/delivery-notices.ts). */
export interface DeliveryNoticePort {
  /** Teams refused the bot in a conversation for good; called once per breakage. */
  channelBroken(conversationId: string, reason: string, undelivered: number): Promise<void>;
  /** Another target (a webhook endpoint, shown as `target`) refused alerts for good; called once per breakage. */
  targetFailing(target: string, reason: string): Promise<void>;
}

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Mail threading (an incident's mails): this message's Message-ID, and the one it replies to. Ours alone, never from an alert. */
  readonly thread?: { readonly messageId: string; readonly inReplyTo?: string };
}

/** Sends one email. Throws EmailDeliveryError: `transient` ones are retried, `rejected` ones are not. */
export interface EmailSender {
  send(mail: OutgoingEmail): Promise<void>;
}

/** A mail that was not sent: `transient` ones are retried, `rejected` ones are not. */
export class EmailDeliveryError extends DeliveryError {
  constructor(kind: 'transient' | 'rejected', message: string) {
    super({ service: 'smtp', kind, message });
  }
}

/**
 * Work that runs beside delivery, on the instance running it and only while it does (escalations):
 * it hears of every alert delivery routes and of every newer version delivery sees of it.
 */
export interface DeliveryCompanion {
  /** Delivery's records are loaded: resume from the companion's own. */
  start(): Promise<void>;
  /** Delivery stops here: finish what is in flight. */
  stop(): Promise<void>;
  /** A new alert was recorded for these targets (never a `rule test` sample). */
  alertRouted(tenant: TenantRecord, alert: Alert, routed: readonly RoutedTarget[]): void;
  /** A newer version of an alert delivery knows: found by a poll, or changed from a card. */
  alertChanged(tenantId: string, alert: Alert): void;
}

/** What a companion may use of the delivery service it runs beside. */
export interface CompanionContext {
  /** The deliveries an alert became (`tenantId/alertId`): where its cards are (read from the store if not in memory). */
  deliveriesOf(alertKey: string): Promise<readonly DeliveryRecord[]>;
  /** The message that starts the incident thread a delivery is part of (`group:incident`), once posted. */
  threadRootOf(delivery: DeliveryRecord): string | undefined;
  /**
   * Puts a line on every card the alert (`alert`, as Defender has it now) became, kept by each
   * later redraw; the edits go through the conversations' paced queues. Returns how many cards.
   */
  markCards(tenantId: string, alert: Alert, mark: CardMark): Promise<number>;
  /** Posts only while this instance may deliver (fenced like delivery's own posts). */
  readonly messenger: Messenger;
  /** False from the moment this instance can no longer be sure it runs delivery. */
  mayDeliver(): boolean;
}
