import { z } from 'zod/v4';
import { ChannelLinkSchema, NotificationRuleSchema } from '../routing/store-schema.js';
import { OnboardingRecordSchema } from '../onboarding/store-schema.js';
import { DeliveryStoreSchema, emptyDeliveryStore } from '../delivery/store-schema.js';

/**
 * The store file's format. Bump STORE_SCHEMA_VERSION only for changes an older file cannot be
 * read as; new sections get a default so existing files load unchanged.
 */
export const STORE_SCHEMA_VERSION = 1;

export const ROLES = ['admin', 'analyst', 'viewer', 'customer-admin'] as const;
export type Role = (typeof ROLES)[number];

export const RoleAssignmentSchema = z.object({
  /** Entra object id of the Teams user, lower case. */
  userId: z.string().min(1),
  role: z.enum(ROLES),
  /** The customer tenant a customer-admin is limited to; absent for SOC roles. */
  tenant: z.string().min(1).optional(),
  displayName: z.string().optional(),
  grantedBy: z.string().min(1),
  grantedAt: z.iso.datetime(),
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

export const CONVERSATION_KINDS = ['personal', 'groupChat', 'channel'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

/** Where the bot is installed: everything needed to post into the conversation later. */
export const ConversationRecordSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(CONVERSATION_KINDS),
  serviceUrl: z.string().min(1),
  channelId: z.string().min(1),
  botId: z.string(),
  botName: z.string().optional(),
  /** Entra tenant of the Teams organisation the conversation lives in (the MSSP's own). */
  teamsTenantId: z.string().optional(),
  teamId: z.string().optional(),
  teamName: z.string().optional(),
  teamsChannelId: z.string().optional(),
  channelName: z.string().optional(),
  title: z.string().optional(),
  active: z.boolean(),
  installedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  removedAt: z.iso.datetime().optional(),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

export const TENANT_STATUSES = ['pending-consent', 'connected', 'needs-attention', 'offboarded'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A customer organisation whose Defender alerts SOC Bridge reads. */
export const TenantRecordSchema = z.object({
  /** Short name used in commands, e.g. `contoso`; unique. */
  handle: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  displayName: z.string().min(1),
  /** Entra tenant id (GUID, lower case). */
  tenantId: z.string().min(1),
  /** Primary domain, e.g. contoso.onmicrosoft.com. */
  domain: z.string().min(1),
  status: z.enum(TENANT_STATUSES),
  /** Whether analysts may change alerts (SecurityAlert.ReadWrite.All requested). */
  writeAccess: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastPollAt: z.iso.datetime().optional(),
  lastSuccessAt: z.iso.datetime().optional(),
  /** The most recent failure talking to this tenant, in words an analyst can act on. */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() }).optional(),
});
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

const AlertStateSchema = z.object({
  status: z.string().optional(),
  assignedTo: z.string().nullable().optional(),
  classification: z.string().optional(),
  determination: z.string().optional(),
  comment: z.string().optional(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

/** Who did what to which alert, with the values before and after. Never pruned by the product. */
export const AuditEntrySchema = z.object({
  id: z.string().min(1),
  at: z.iso.datetime(),
  actorId: z.string(),
  actorName: z.string(),
  tenantId: z.string(),
  tenantHandle: z.string(),
  alertId: z.string(),
  alertTitle: z.string().optional(),
  action: z.string(),
  before: AlertStateSchema,
  after: AlertStateSchema,
  outcome: z.enum(['done', 'failed', 'refused']),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Product-wide settings changed from chat. */
export const SettingsSchema = z.object({
  /** The SOC's own conversation for operational notices (consent progress, broken channels, help requests). */
  socConversationId: z.string().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const StoreDataSchema = z.object({
  schemaVersion: z.literal(STORE_SCHEMA_VERSION),
  roles: z.array(RoleAssignmentSchema).default([]),
  conversations: z.array(ConversationRecordSchema).default([]),
  tenants: z.array(TenantRecordSchema).default([]),
  audit: z.array(AuditEntrySchema).default([]),
  settings: SettingsSchema.default({}),
  channelLinks: z.array(ChannelLinkSchema).default([]),
  rules: z.array(NotificationRuleSchema).default([]),
  onboarding: z.array(OnboardingRecordSchema).default([]),
  delivery: DeliveryStoreSchema.default(emptyDeliveryStore),
});
export type StoreData = z.infer<typeof StoreDataSchema>;

export function emptyStoreData(): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, roles: [], conversations: [], tenants: [], audit: [], settings: {}, channelLinks: [], rules: [], onboarding: [], delivery: emptyDeliveryStore() };
}
