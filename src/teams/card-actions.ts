import type { Application, TurnState } from '@microsoft/teams-ai';
import { TurnContext, type ConversationReference } from 'botbuilder';
import type { ActionOutcome } from '../alerts/alert-actions.js';
import { ALERT_VERB_LIST } from '../alerts/verbs.js';
import type { Reply } from '../commands/reply.js';
import type { RunContext } from '../commands/run.js';
import type { Logger } from '../log.js';
import { baseConversationId } from './activity.js';
import { activityOf, cardOf } from './render.js';

/**
 * Teams gives an invoke roughly 10–15 s before the user sees "Something went wrong", and Graph can
 * be slower than that under throttling. Answer with the interim card after this long and finish in
 * the background, editing the message when the result is in.
 */
export const DEFAULT_ACTION_DEADLINE_MS = 1500;

type InvokeAnswer = ReturnType<typeof cardOf> | string;

function answerOf(reply: Reply): InvokeAnswer {
  return reply.kind === 'card' ? (cardOf(reply) as never) : reply.text;
}

export interface CardActionDeps {
  readonly contextFor: (context: TurnContext) => Promise<RunContext>;
  readonly botAppId: string;
  readonly deadlineMs: number;
  readonly logger: Logger;
}

/** Routes every alert-card verb to the domain and delivers its outcome the way the verb asks. */
export function registerAlertActions(app: Application<TurnState>, deps: CardActionDeps): void {
  registerOutcomeActions(
    app,
    ALERT_VERB_LIST,
    (run, verb, data, context) => {
      // The clicked card shows the result; delivery edits the alert's other cards.
      const origin = { conversationId: baseConversationId(context.activity.conversation.id), ...(context.activity.replyToId ? { messageId: context.activity.replyToId } : {}) };
      return run.services.alertActions.handle(verb, data, run.actor, origin);
    },
    deps,
  );
}

/** Routes card verbs whose domain handler answers with an ActionOutcome, delivering it the way the outcome asks. */
export function registerOutcomeActions<V extends string>(
  app: Application<TurnState>,
  verbs: readonly V[],
  outcomeOf: (run: RunContext, verb: V, data: unknown, context: TurnContext) => ActionOutcome,
  deps: CardActionDeps,
): void {
  for (const verb of verbs) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      const run = await deps.contextFor(context);
      const outcome = outcomeOf(run, verb, data, context);
      const finished = await Promise.race([outcome.final, delay(deps.deadlineMs)]);
      if (finished) return deliverNow(context, outcome, finished);
      finishLater(context, outcome, deps);
      return answerOf(outcome.interim) as never;
    });
  }
}

async function deliverNow(context: TurnContext, outcome: ActionOutcome, reply: Reply): Promise<never> {
  // A sentence goes to the clicker alone (Teams shows it under the card); it never replaces a card.
  if (reply.kind === 'text') return reply.text as never;
  if (outcome.delivery === 'post') {
    await context.sendActivity(activityOf(reply));
    return 'Opened below.' as never;
  }
  const cardMessageId = context.activity.replyToId;
  if (outcome.delivery === 'shared' && cardMessageId) await context.updateActivity({ ...activityOf(reply), id: cardMessageId });
  return answerOf(reply) as never;
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
    .then((reply) =>
      adapter.continueConversationAsync(deps.botAppId, reference, async (later) => {
        if (outcome.delivery === 'post' || !cardMessageId || reply.kind === 'text') await later.sendActivity(activityOf(reply));
        else await later.updateActivity({ ...activityOf(reply), id: cardMessageId });
      }),
    )
    .catch((error: unknown) => deps.logger.error({ event: 'card_action.late_update_failed', err: error }, 'could not deliver a card action result'));
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
