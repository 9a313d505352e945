import { z } from 'zod/v4';

/**
 * The store section delivery owns: the outbox (one record per alert and target), what each alert
 * looked like when last seen, digest cards, each tenant's poll cursor, and the health of targets
 * that exist by configuration (webhook endpoints). Records are kept in objects keyed by their id,
 * so one change is one key and not a scan of a long array.
 */

/**
 * A target as the outbox keeps it: its kind, and the kind's own fields (Teams `conversationId`,
 * email `address`, webhook `endpoint`), which each kind's schema checks when it sends.
 */
export const DeliveryTargetSchema = z.looseObject({ kind: z.string().min(1) });

/** Who sent a `rule test` sample, and for which rule (its name then): the card, mail or event says so. */
export const SampleInfoSchema = z.object({ requestedBy: z.string(), ruleName: z.string() });
export type SampleInfo = z.infer<typeof SampleInfoSchema>;

export const ContentOptionsSchema = z.object({ includeOrgName: z.boolean(), includePortalLink: z.boolean(), includeDeviceInfo: z.boolean() });

/** A coloured line shown at the top of an alert's card (colours as the card elements name them). */
export const CardMarkSchema = z.object({ color: z.enum(['default', 'good', 'warning', 'attention', 'accent']), text: z.string().min(1).max(500) });
export type CardMark = z.infer<typeof CardMarkSchema>;

export const DELIVERY_STATES = [
  /** Recorded, not delivered yet (also: a card posted without an id that must be posted afresh). */
  'pending',
  /** Posted (Teams: `messageId` is the card), mailed or sent to an endpoint. */
  'sent',
  /** Teams answered 202 without an id: posted, never re-posted, edits post a fresh card. */
  'sent-no-id',
  /** Part of a digest card (`digestId`) instead of a card of its own. */
  'digested',
  /** Given up: rejected by the target (Teams, a mail server, an endpoint), or out of retries. `error` says why. */
  'failed',
  /** The conversation is gone (bot removed, channel deleted): the link was marked broken. */
  'gone',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One alert on its way to one target: the outbox entry and, once posted, the card it became. */
export const DeliveryRecordSchema = z.object({
  /** `tenantId/alertId|targetKey`. */
  key: z.string().min(1),
  tenantId: z.string().min(1),
  alertId: z.string().min(1),
  target: DeliveryTargetSchema,
  ruleId: z.string(),
  options: ContentOptionsSchema,
  state: z.enum(DELIVERY_STATES),
  /** Creation order, so a restart posts in the order the alerts arrived. */
  seq: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  sentAt: z.iso.datetime().optional(),
  messageId: z.string().optional(),
  digestId: z.string().optional(),
  /** The alert's lastUpdateDateTime the posted card shows. */
  shownVersion: z.string().optional(),
  /** The card was deleted in Teams (404 on edit): it is not edited any more. */
  cardGone: z.boolean().optional(),
  /** A `rule test` sample: never de-duplicated against, never counted as a delivery, marked as such. */
  sample: SampleInfoSchema.optional(),
  error: z.string().optional(),
  /** Grouped by incident: the incident thread (IncidentThread key) this alert goes to. */
  threadKey: z.string().optional(),
  /** Once delivered in a thread: shown by the incident card (its first alert, or in its list), or a reply in its thread. */
  threadRole: z.enum(['card', 'reply']).optional(),
  /** A line a companion of delivery put on the card (an escalation): every redraw of the card keeps it. */
  mark: CardMarkSchema.optional(),
  /** The mark's text the posted card shows (absent: none); the card is behind while it differs from `mark`. */
  shownMark: z.string().optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;

/** Whether a posted card still has to be redrawn to show its delivery's mark. */
export function markBehind(d: Pick<DeliveryRecord, 'mark' | 'shownMark'>): boolean {
  return d.mark?.text !== d.shownMark;
}

/**
 * An alert as last seen: its version for de-duplication and change detection, and its body while
 * a post or an edit still needs it (dropped afterwards to keep the store small).
 */
export const AlertSnapshotSchema = z.object({
  tenantId: z.string().min(1),
  alertId: z.string().min(1),
  /** lastUpdateDateTime as Graph sent it. */
  version: z.string().min(1),
  createdDateTime: z.string().min(1),
  firstSeenAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /**
   * The alert as Graph sent it, JSON deflated and base64-encoded: bodies are the largest part of a
   * burst's records, and packed they cost each batch written (and each record kept) far less.
   */
  body: z.string().optional(),
});
export type AlertSnapshot = z.infer<typeof AlertSnapshotSchema>;

/** What a digest shows of one alert; enough to render the row again when the alert changes. */
export const DigestItemSchema = z.object({
  deliveryKey: z.string().min(1),
  tenantId: z.string().min(1),
  alertId: z.string().min(1),
  customer: z.string(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  assignedTo: z.string().optional(),
  createdDateTime: z.string(),
  version: z.string(),
});
export type DigestItem = z.infer<typeof DigestItemSchema>;

/** A card that stands for many alerts in one conversation (storm mode). */
export const DigestRecordSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().min(1),
  state: z.enum(['pending', 'sent', 'sent-no-id', 'failed', 'gone']),
  seq: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  messageId: z.string().optional(),
  /** Bumped on every change of an item; the card shows `shownRevision`. */
  revision: z.number().int().nonnegative(),
  shownRevision: z.number().int().nonnegative(),
  items: z.array(DigestItemSchema),
  error: z.string().optional(),
});
export type DigestRecord = z.infer<typeof DigestRecordSchema>;

/** Where a tenant's next poll starts. */
export const PollCursorSchema = z.object({
  tenantId: z.string().min(1),
  /** When polling of this tenant began: alerts created (well) before it are backlog, never delivered. */
  since: z.iso.datetime(),
  /** The newest lastUpdateDateTime of a fully read poll; the next poll asks from here minus the overlap. */
  watermark: z.string().min(1),
  updatedAt: z.iso.datetime(),
});
export type PollCursor = z.infer<typeof PollCursorSchema>;

/** How a target that exists by itself (a webhook endpoint) is doing: failing since when and why, last success. */
export const TargetHealthSchema = z.object({
  /** `kind:keyOf(target)`. */
  key: z.string().min(1),
  failing: z.object({ reason: z.string(), at: z.iso.datetime() }).optional(),
  lastSentAt: z.iso.datetime().optional(),
});
export type TargetHealth = z.infer<typeof TargetHealthSchema>;

/** An incident as last read from Graph, for the incident cards its threads show. */
export const IncidentSnapshotSchema = z.object({
  tenantId: z.string().min(1),
  incidentId: z.string().min(1),
  /** The incident's lastUpdateDateTime when last read; absent until it is read. */
  version: z.string().optional(),
  /** An alert of it changed or joined since it was read: the next poll reads it again. */
  stale: z.boolean().optional(),
  /** Whether analysts may change it from the card (the tenant granted SecurityIncident.ReadWrite.All and writes). */
  writable: z.boolean().optional(),
  /** The incident with its alerts, packed as alert bodies are; kept while a thread card shows it. */
  body: z.string().optional(),
  updatedAt: z.iso.datetime(),
});
export type IncidentSnapshot = z.infer<typeof IncidentSnapshotSchema>;

/**
 * One incident in one conversation (rules with `group:incident`): the incident card at its root,
 * the version it shows, and whether later alerts go as replies (`notify:every`) or only into it.
 */
export const IncidentThreadSchema = z.object({
  /** `tenantId/incidentId|targetKey`. */
  key: z.string().min(1),
  tenantId: z.string().min(1),
  incidentId: z.string().min(1),
  target: DeliveryTargetSchema,
  ruleId: z.string(),
  options: ContentOptionsSchema,
  notify: z.enum(['every', 'first']),
  state: z.enum(['pending', 'sent', 'sent-no-id', 'failed', 'gone']),
  seq: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  sentAt: z.iso.datetime().optional(),
  /** The incident card: the thread's root message. */
  messageId: z.string().optional(),
  /** What the card shows: the incident's version, and how many of this thread's alerts were delivered then. */
  shownVersion: z.string().optional(),
  shownAlerts: z.number().int().nonnegative().optional(),
  cardGone: z.boolean().optional(),
  error: z.string().optional(),
});
export type IncidentThread = z.infer<typeof IncidentThreadSchema>;

export const DeliveryStoreSchema = z.object({
  deliveries: z.record(z.string(), DeliveryRecordSchema).default({}),
  alerts: z.record(z.string(), AlertSnapshotSchema).default({}),
  digests: z.record(z.string(), DigestRecordSchema).default({}),
  cursors: z.record(z.string(), PollCursorSchema).default({}),
  targets: z.record(z.string(), TargetHealthSchema).default({}),
  incidents: z.record(z.string(), IncidentSnapshotSchema).default({}),
  threads: z.record(z.string(), IncidentThreadSchema).default({}),
});
export type DeliveryStore = z.infer<typeof DeliveryStoreSchema>;

export function emptyDeliveryStore(): DeliveryStore {
  return { deliveries: {}, alerts: {}, digests: {}, cursors: {}, targets: {}, incidents: {}, threads: {} };
}
