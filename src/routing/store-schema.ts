import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';
import { DEFAULT_NOTIFY, EARLIER_GROUPING, GROUPINGS, NOTIFY_MODES } from './rule-grouping.js';

/**
 * The store sections routing owns: which conversations receive which customer's alerts, and the
 * notification rules. Enum-like fields are plain strings here (Graph's enums evolve); what a user
 * may type is checked when a rule is made, not when the file is read.
 */

/** A conversation made an alert destination for one customer tenant with `link`. */
export const ChannelLinkSchema = z.object({
  /** The conversation (base id, without `;messageid=`). */
  conversationId: z.string().min(1),
  /** Entra tenant id of the customer (lower case). */
  tenantId: z.string().min(1),
  linkedBy: z.string(),
  linkedByName: z.string(),
  linkedAt: z.iso.datetime(),
  /** Set when Teams said the bot can no longer post there (403/404); cleared by linking again. */
  broken: z.object({ reason: z.string(), at: z.iso.datetime() }).optional(),
});
export type ChannelLink = z.infer<typeof ChannelLinkSchema>;

export const TenantScopeSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('all') }),
  z.object({ scope: z.literal('only'), tenantIds: z.array(z.string().min(1)).min(1) }),
  z.object({ scope: z.literal('except'), tenantIds: z.array(z.string().min(1)).min(1) }),
]);
export type TenantScope = z.infer<typeof TenantScopeSchema>;

/** A rule's reference to targets of one kind (see the target registry): `{ kind: 'teams', value: 'channels' }`. */
export const TargetRefSchema = z.object({ kind: z.string().min(1), value: z.string().min(1) });

/**
 * A rule's escalation: a new alert it matched that is still new and unowned this many minutes
 * after Defender created it gets a follow-up mentioning these people, in its card's thread (or
 * in `channel`). One or two levels, rising.
 */
export const RuleEscalationSchema = z.object({
  afterMinutes: z.array(z.number().int().positive()).min(1).max(2),
  /** Entra object ids and the names the mentions show. */
  mention: z.array(z.object({ userId: z.string().min(1), name: z.string().min(1) })),
  /** A conversation (base id) linked to the rule's tenants that gets the follow-up instead of the card's thread. */
  channel: z.string().min(1).optional(),
});
export type RuleEscalation = z.infer<typeof RuleEscalationSchema>;

/**
 * Rules saved before target kinds had `targets: { linkedChannels, channels, emails }` and
 * `mode: teams | email | both`; they are read as references and a list of kinds (`both` meant
 * every kind the rule named, which is what no list means).
 */
function fromEarlierRule(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const { targets, mode, ...rest } = raw as Record<string, unknown>;
  const earlier = typeof targets === 'object' && targets !== null && !Array.isArray(targets) ? (targets as { linkedChannels?: unknown; channels?: unknown; emails?: unknown }) : undefined;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const refs = earlier
    ? [
        ...(earlier.linkedChannels === true ? [{ kind: 'teams', value: 'channels' }] : []),
        ...list(earlier.channels).map((value) => ({ kind: 'teams', value })),
        ...list(earlier.emails).map((value) => ({ kind: 'email', value })),
      ]
    : targets;
  const kinds = mode === 'teams' || mode === 'email' ? [mode] : mode === 'both' ? undefined : mode;
  return { ...rest, targets: refs, ...(kinds === undefined ? {} : { mode: kinds }) };
}

/** A notification rule: which alerts (filters as Defender's email rules offer) go where, with what. */
export const NotificationRuleSchema = z.preprocess(
  fromEarlierRule,
  z.object({
    id: z.string().regex(/^r[a-z0-9]{1,12}$/),
    name: z.string().min(1).max(80),
    enabled: z.boolean(),
    tenants: TenantScopeSchema,
    /** Each list: empty means any. */
    severities: z.array(z.string()),
    deviceGroups: z.array(z.string()),
    serviceSources: z.array(z.string()),
    detectionSources: z.array(z.string()),
    categories: z.array(z.string()),
    /** Case-insensitive substring of the alert title. */
    titleContains: z.string().min(1).optional(),
    content: z.object({ includeOrgName: z.boolean(), includePortalLink: z.boolean(), includeDeviceInfo: z.boolean() }),
    /** Where alerts go: each tenant's linked channels, a linked channel, an address, a webhook endpoint… */
    targets: z.array(TargetRefSchema),
    /** `mode:` — only targets of these kinds receive alerts (the others are kept); absent = every kind the rule names. */
    mode: z.array(z.string().min(1)).min(1).optional(),
    /** `escalate:` / `escalate-to:`; absent = no follow-ups. */
    escalation: RuleEscalationSchema.optional(),
    /** `group:` — a rule saved before grouping existed keeps one card per alert. */
    grouping: z.enum(GROUPINGS).default(EARLIER_GROUPING),
    /** `notify:` — every alert of an incident, or only its first. */
    notify: z.enum(NOTIFY_MODES).default(DEFAULT_NOTIFY),
    createdBy: z.string(),
    createdByName: z.string(),
    createdAt: z.iso.datetime(),
    updatedBy: z.string().optional(),
    updatedByName: z.string().optional(),
    updatedAt: z.iso.datetime(),
  }),
);
export type NotificationRule = z.infer<typeof NotificationRuleSchema>;

/** The channel links collection, one record per (conversation, tenant). */
export const CHANNEL_LINKS: CollectionSpec<ChannelLink> = { name: 'channelLinks', schema: ChannelLinkSchema, keyOf: (l) => linkKeyOf(l.conversationId, l.tenantId) };

export function linkKeyOf(conversationId: string, tenantId: string): string {
  return `${conversationId}|${tenantId}`;
}

/** The notification rules collection, keyed by rule id. */
export const NOTIFICATION_RULES: CollectionSpec<NotificationRule> = { name: 'rules', schema: NotificationRuleSchema, keyOf: (r) => r.id };
