import { z } from 'zod/v4';

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

export const StoreDataSchema = z.object({
  schemaVersion: z.literal(STORE_SCHEMA_VERSION),
  roles: z.array(RoleAssignmentSchema).default([]),
  conversations: z.array(ConversationRecordSchema).default([]),
});
export type StoreData = z.infer<typeof StoreDataSchema>;

export function emptyStoreData(): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, roles: [], conversations: [] };
}
