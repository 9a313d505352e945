import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { TeamsBudgets } from './pacing.js';

/** Who is sending: delivery (alert cards and their edits) or anyone else (replies, notices). */
export type Sender = 'delivery' | 'reply';

/**
 * The longest a reply waits for a slot. A chat turn must answer Teams within seconds; past this
 * the reply goes anyway (the Bot Framework client still retries a 429 it draws).
 */
export const DEFAULT_REPLY_MAX_WAIT_MS = 5000;

/**
 * The longest an alert card waits here. Delivery checked its lease before sending; a card held
 * longer fails as transient instead, and its queue retries it (checking the lease again) once the
 * replies that took its slots have left the window.
 */
export const CARD_MAX_WAIT_MS = 1000;

/**
 * The last step before a message leaves for Teams, after it is rendered: the conversation's
 * shared budget counts it at the moment it goes, which is when Teams counts it. Delivery's cards
 * and edits (already paced by its queues) take it leaving `CARD_RESERVE` slots of every window
 * free; everything else (command replies, card actions' edits and posts, notices, summaries) may
 * use those slots, so a reply goes at once into an idle and a storming conversation alike, and the
 * cards wait after it. A reply also takes its share of the per-app budget. Counting at the moment
 * of sending, not when a queue admitted the message, keeps a burst's rendering time from moving
 * the count earlier than Teams sees it.
 */
export class TeamsSendGate {
  constructor(
    private readonly deps: { budgets: TeamsBudgets; clock: Clock; logger: Logger },
    private readonly options: { replyMaxWaitMs: number } = { replyMaxWaitMs: DEFAULT_REPLY_MAX_WAIT_MS },
  ) {}

  /** Waits until one more message from `sender` may go into `conversationId`, and counts it. */
  async admit(conversationId: string, sender: Sender): Promise<void> {
    if (sender === 'delivery') return this.admitCard(conversationId);
    const { budgets, clock } = this.deps;
    const deadline = clock.nowMs() + this.options.replyMaxWaitMs;
    // Both budgets at once, so an idle conversation costs one round trip to the database; each is
    // taken once, and a reply that must wait keeps the slot it already has.
    const still = { conversation: true, app: true };
    for (;;) {
      const [conversation, app] = await Promise.all([still.conversation ? budgets.takeForReply(conversationId) : undefined, still.app ? budgets.takeReplyShare() : undefined]);
      if (conversation?.admitted) still.conversation = false;
      if (app?.admitted) still.app = false;
      if (!still.conversation && !still.app) return;
      const left = deadline - clock.nowMs();
      if (left <= 0) {
        this.deps.logger.warn({ event: 'pacing.reply_waited_too_long', conversationId, waitedMs: this.options.replyMaxWaitMs, budget: still.conversation ? 'conversation' : 'app' }, 'a reply waited too long for Teams pacing; sending it now');
        return;
      }
      const waits = [conversation, app].map((take) => (take && !take.admitted ? take.waitMs : 0));
      await clock.sleep(Math.min(Math.max(...waits), left));
    }
  }

  /** A card waits while replies (from any instance) hold the conversation's windows, up to `CARD_MAX_WAIT_MS`. */
  private async admitCard(conversationId: string): Promise<void> {
    const { budgets, clock } = this.deps;
    const deadline = clock.nowMs() + CARD_MAX_WAIT_MS;
    for (;;) {
      const take = await budgets.takeForCard(conversationId);
      if (take.admitted) return;
      if (clock.nowMs() + take.waitMs > deadline) throw new Error(`replies hold this conversation's Teams budget for ${take.waitMs} ms more; the card is retried`);
      await clock.sleep(take.waitMs);
    }
  }
}
