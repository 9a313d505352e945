import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

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

/** The conversations collection, keyed by conversation id. */
export const CONVERSATIONS: CollectionSpec<ConversationRecord> = { name: 'conversations', schema: ConversationRecordSchema, keyOf: (c) => c.id };
