import type { Activity, ChannelAccount } from 'botbuilder';
import type { ChatPlace } from '../chat/place.js';
import type { CommandInput, MentionedUser } from '../commands/input.js';
import type { ConversationInfo } from '../conversations/conversation-registry.js';
import type { ConversationKind } from '../conversations/conversation-schema.js';

/** Teams thread ids look like `19:…@thread.tacv2;messageid=123`; the channel is the part before `;`. */
export function baseConversationId(conversationId: string): string {
  const cut = conversationId.indexOf(';messageid=');
  return cut === -1 ? conversationId : conversationId.slice(0, cut);
}

export function conversationKindOf(activity: Partial<Activity>): ConversationKind {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat' || activity.conversation?.isGroup) return 'groupChat';
  return 'personal';
}

interface TeamsChannelData {
  team?: { id?: string; name?: string };
  channel?: { id?: string; name?: string };
  tenant?: { id?: string };
  eventType?: string;
}

function channelDataOf(activity: Partial<Activity>): TeamsChannelData {
  return (activity.channelData ?? {}) as TeamsChannelData;
}

/** Everything needed to reach this conversation again later. */
export function conversationInfoFrom(activity: Partial<Activity>): ConversationInfo | undefined {
  const conversation = activity.conversation;
  if (!conversation?.id || !activity.serviceUrl) return undefined;
  const data = channelDataOf(activity);
  const kind = conversationKindOf(activity);
  // Channel events (channelRenamed, channelCreated) arrive on the team's conversation and name the
  // channel they are about in channelData; on a message the two are the same channel.
  const channelId = kind === 'channel' ? baseConversationId(data.channel?.id ?? conversation.id) : undefined;
  const info: Record<string, unknown> = {
    id: channelId ?? baseConversationId(conversation.id),
    kind,
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId ?? 'msteams',
    botId: activity.recipient?.id ?? '',
    botName: activity.recipient?.name,
    teamsTenantId: conversation.tenantId ?? data.tenant?.id,
    teamId: data.team?.id,
    teamName: data.team?.name,
    teamsChannelId: channelId,
    channelName: data.channel?.name,
    title: conversation.name,
  };
  for (const key of Object.keys(info)) if (info[key] === undefined || info[key] === '') delete info[key];
  return info as unknown as ConversationInfo;
}

export function placeFrom(activity: Partial<Activity>): ChatPlace {
  const info = conversationInfoFrom(activity);
  return {
    conversationId: info?.id ?? activity.conversation?.id ?? 'unknown',
    kind: conversationKindOf(activity),
    ...(activity.from?.id ? { chatUserId: activity.from.id } : {}),
    ...(info?.teamsTenantId ? { teamsTenantId: info.teamsTenantId } : {}),
  };
}

export interface ChatUser {
  readonly chatUserId: string | undefined;
  readonly objectId: string | undefined;
  readonly displayName: string;
}

export function callerFrom(activity: Partial<Activity>): ChatUser {
  const from: Partial<ChannelAccount> = activity.from ?? {};
  return { chatUserId: from.id, objectId: from.aadObjectId, displayName: from.name?.trim() || 'Unknown user' };
}

interface MentionEntity {
  type: 'mention';
  text?: string;
  mentioned?: { id?: string; name?: string; aadObjectId?: string };
}

/** The users @mentioned in a message, except the bot itself. */
export function mentionEntitiesOf(activity: Partial<Activity>): MentionEntity[] {
  const botId = activity.recipient?.id;
  return (activity.entities ?? []).filter(
    (e): e is MentionEntity => e.type === 'mention' && (e as MentionEntity).mentioned?.id !== botId,
  );
}

const ENTITIES: Readonly<Record<string, string>> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

/**
 * Teams may send the text of a message with HTML markup (rich-text compose box). Keep `<at>` tags,
 * which mark mentions, drop every other tag and decode the common entities.
 */
export function plainText(text: string): string {
  return text
    .replace(/<(?!\/?at>)[^>]*>/gi, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39|apos);/g, (m) => ENTITIES[m] ?? m)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The command layer's view of a message, with mentions already resolved to Entra object ids. */
export function commandInputFrom(text: string, mentions: readonly MentionedUser[]): CommandInput {
  return { text: plainText(text), mentions };
}
