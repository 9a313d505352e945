import type { Reply } from '../chat/reply.js';
import { DeliveryError, type DeliveryFailureKind } from '../errors.js';
import type { ConversationRecord } from './conversation-schema.js';

/** The id Teams gave a posted message, when it gave one (it sometimes answers 202 with no body). */
export interface SentMessage {
  readonly messageId: string | undefined;
}

/**
 * The port the domain posts through, proactively: new cards into a conversation, edits of cards
 * it posted earlier. Each call is one attempt; failures are ChatDeliveryErrors that say whether
 * to retry, wait, or give the conversation up.
 */
export interface Messenger {
  send(conversation: ConversationRecord, reply: Reply): Promise<SentMessage>;
  update(conversation: ConversationRecord, messageId: string, reply: Reply): Promise<void>;
  /**
   * Posts a reply in the thread a message of ours started in a channel. Chats have no threads:
   * callers edit or post there instead (see `hasThreads`).
   */
  reply(conversation: ConversationRecord, rootMessageId: string, reply: Reply): Promise<SentMessage>;
  /**
   * Posts a typing indicator proactively: the lightest post there is, which Teams checks against
   * the conversation's roster like any other, so a refusal here means cards would be refused too.
   */
  probe(conversation: ConversationRecord): Promise<void>;
}

/**
 * Why a post or edit did not go through, classified for the delivery queue (`kind`: see
 * DeliveryFailureKind). `message` is the technical account for the log; `userMessage` says in
 * words for chat what happened.
 */
export class ChatDeliveryError extends DeliveryError {
  constructor(kind: DeliveryFailureKind, status: number | undefined, retryAfterMs: number | undefined, message: string) {
    super({ service: 'teams', kind, status, retryAfterMs, message, userMessage: CHAT_DELIVERY_SENTENCES[kind] });
  }
}

const CHAT_DELIVERY_SENTENCES: Record<DeliveryFailureKind, string> = {
  throttled: 'Teams is throttling SOC Bridge right now, so the message was not posted. Try again in a minute.',
  transient: 'Teams did not accept the message just now. Try again in a moment.',
  gone: 'Teams refused the message: SOC Bridge was removed from that conversation, or it no longer exists.',
  rejected: 'Teams rejected the message.',
};

/** Whether replies can go in a thread under a message there (Teams channels only). */
export function hasThreads(conversation: Pick<ConversationRecord, 'kind'>): boolean {
  return conversation.kind === 'channel';
}

/**
 * The conversation id a reply in a channel thread is posted to: the channel's id with
 * `;messageid=<root message id>` (the id Teams gave the thread's first message).
 */
export function threadConversationId(channelConversationId: string, rootMessageId: string): string {
  const channel = channelConversationId.split(';messageid=')[0] ?? channelConversationId;
  return `${channel};messageid=${rootMessageId}`;
}
