import { TurnContext, type ConversationReference } from 'botbuilder';
import type { ActionOutcome, ActionResult } from '../chat/outcome.js';
import type { Reply } from '../chat/reply.js';
import { ACTION_VERBS } from '../commands/action-verbs.js';
import { runAction, type TurnContext as CommandTurn } from '../commands/pipeline.js';
import type { Logger } from '../log.js';
import { baseConversationId } from './activity.js';
import { activityOf, cardOf } from './render.js';
import { stopWithin } from '../stop-within.js';
import type { CardActionAnswer, TurnRouter } from './turn-router.js';

/**
 * Teams gives an invoke roughly 10–15 s before the user sees "Something went wrong", and Graph can
 * be slower than that under throttling. Answer with the interim card after this long and finish in
 * the background, editing the message when the result is in.
 */
export const DEFAULT_ACTION_DEADLINE_MS = 1500;

function answerOf(reply: Reply): CardActionAnswer {
  return reply.kind === 'card' ? cardOf(reply) : reply.text;
}

export interface CardActionDeps {
  readonly turnFor: (context: TurnContext) => Promise<CommandTurn>;
  readonly botAppId: string;
  readonly deadlineMs: number;
  readonly logger: Logger;
}

/**
 * Registers every card verb of the route table with the turn router: Action.Execute answers within the
 * invoke (or with the interim card, finishing later), and the Action.Submit fallback of clients
 * without Universal Actions posts the answer as a message.
 */
export function registerCardActions(router: TurnRouter, deps: CardActionDeps): void {
  for (const verb of ACTION_VERBS) {
    router.cardExecute(verb, async (context, data) => {
      const outcome = runAction(verb, data, originOf(context), await deps.turnFor(context));
      if (await stopWithin(deps.deadlineMs, outcome.final)) return deliverNow(context, await outcome.final);
      finishLater(context, outcome, deps);
      return answerOf(outcome.interim);
    });
    router.cardSubmit(verb, async (context, data) => {
      const { reply } = await runAction(verb, data, originOf(context), await deps.turnFor(context)).final;
      await context.sendActivity(activityOf(reply));
    });
  }
}

function originOf(context: TurnContext) {
  return { conversationId: baseConversationId(context.activity.conversation.id), ...(context.activity.replyToId ? { messageId: context.activity.replyToId } : {}) };
}

async function deliverNow(context: TurnContext, result: ActionResult): Promise<CardActionAnswer> {
  // A sentence goes to the clicker alone (Teams shows it under the card); it never replaces a card.
  if (result.reply.kind === 'text') return result.reply.text;
  if (result.delivery === 'post') {
    await context.sendActivity(activityOf(result.reply));
    return 'Opened below.';
  }
  const cardMessageId = context.activity.replyToId;
  if (result.delivery === 'shared' && cardMessageId) await context.updateActivity({ ...activityOf(result.reply), id: cardMessageId });
  return answerOf(result.reply);
}

/**
 * The clicker already holds the interim answer; when the result arrives, edit the card (or post it)
 * for everyone. A sentence instead of a card is posted, since the invoke has been answered already.
 */
function finishLater(context: TurnContext, outcome: ActionOutcome, deps: { botAppId: string; logger: Logger }): void {
  const reference = TurnContext.getConversationReference(context.activity);
  const cardMessageId = context.activity.replyToId;
  const adapter = context.adapter as unknown as {
    continueConversationAsync(botAppId: string, reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
  };
  void outcome.final
    .then(({ reply, delivery }) =>
      adapter.continueConversationAsync(deps.botAppId, reference, async (later) => {
        if (delivery === 'post' || !cardMessageId || reply.kind === 'text') await later.sendActivity(activityOf(reply));
        else await later.updateActivity({ ...activityOf(reply), id: cardMessageId });
      }),
    )
    .catch((error: unknown) => deps.logger.error({ event: 'card_action.late_update_failed', err: error }, 'could not deliver a card action result'));
}
