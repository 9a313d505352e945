import type { ConversationKind } from '../conversations/conversation-schema.js';

/** Where a command was typed or a card clicked. Handlers read it; domain services take its plain parts. */
export interface ChatPlace {
  readonly conversationId: string;
  readonly kind: ConversationKind;
  /** The chat user's id in the chat service (in Teams, the `29:…` id). */
  readonly chatUserId?: string;
  /** The Teams organisation's Entra tenant. */
  readonly teamsTenantId?: string;
}
