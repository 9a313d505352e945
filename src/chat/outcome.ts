import type { Reply } from './reply.js';

/** How a card action's answer reaches the chat: replacing the card for everyone, for the clicker only, or as a new message. */
export type ActionDelivery = 'shared' | 'clicker' | 'post';

/** A card action's answer and how it is delivered. */
export interface ActionResult {
  readonly reply: Reply;
  readonly delivery: ActionDelivery;
}

/**
 * What a card click produces. `final` never rejects. `interim` is shown if `final` takes longer
 * than Teams lets an invoke wait; the chat layer then delivers `final` when it arrives.
 */
export interface ActionOutcome {
  readonly interim: Reply;
  readonly final: Promise<ActionResult>;
}

/**
 * What a chat command produces. `final` never rejects. `interim`, when the command has one, is
 * posted if `final` takes longer than a reply should wait; the chat layer then edits that message
 * into `final` when it arrives.
 */
export interface CommandOutcome {
  readonly interim?: Reply;
  readonly final: Promise<Reply>;
}

/** The card an action came from: the conversation (base id) and the message. */
export interface CardOrigin {
  readonly conversationId: string;
  readonly messageId?: string;
}
