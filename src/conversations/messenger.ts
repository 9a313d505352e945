import type { Reply } from '../chat/reply.js';
import { SocBridgeError } from '../errors.js';
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
}

export type DeliveryFailureKind =
  /** 429: too many messages; wait `retryAfterMs` (or back off) and try again. */
  | 'throttled'
  /** 412, 502, 504, other 5xx, network errors: back off and try again. */
  | 'transient'
  /** 403, 404, 410: the bot was removed or the conversation is gone; stop posting there. */
  | 'gone'
  /** Anything else (400…): retrying will not help. */
  | 'rejected';

/**
 * Why a post or edit did not go through, classified for the delivery queue. `message` is the
 * technical account for the log; `userMessage` says in words for chat what happened.
 */
export class ChatDeliveryError extends SocBridgeError {
  constructor(
    readonly kind: DeliveryFailureKind,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super('chat.delivery-failed', CHAT_DELIVERY_SENTENCES[kind], { detail: message });
  }
}

const CHAT_DELIVERY_SENTENCES: Record<DeliveryFailureKind, string> = {
  throttled: 'Teams is throttling SOC Bridge right now, so the message was not posted. Try again in a minute.',
  transient: 'Teams did not accept the message just now. Try again in a moment.',
  gone: 'Teams refused the message: SOC Bridge was removed from that conversation, or it no longer exists.',
  rejected: 'Teams rejected the message.',
};
