import { TurnContext, type ConversationReference } from 'botbuilder';
import type { CommandOutcome } from '../chat/outcome.js';
import type { Logger } from '../log.js';
import { stopWithin } from '../stop-within.js';
import { activityOf } from './render.js';

export interface CommandReplyDeps {
  readonly botAppId: string;
  /** How long the answer may take before the interim message goes out (the card actions' deadline). */
  readonly deadlineMs: number;
  readonly logger: Logger;
}

/**
 * Answers a chat command. Teams waits about 15 s for the bot to finish a turn; a command that
 * reads many tenants can take longer. A command with an interim answer that is not ready within
 * the deadline posts the interim message at once, ends the turn, and edits that message into the
 * answer when it is ready (in a new turn on the same conversation).
 */
export async function replyToCommand(context: TurnContext, outcome: CommandOutcome, deps: CommandReplyDeps): Promise<void> {
  if (!outcome.interim || (await stopWithin(deps.deadlineMs, outcome.final))) {
    await context.sendActivity(activityOf(await outcome.final));
    return;
  }
  const posted = await context.sendActivity(activityOf(outcome.interim));
  const reference = TurnContext.getConversationReference(context.activity);
  const adapter = context.adapter as unknown as {
    continueConversationAsync(botAppId: string, reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
  };
  void outcome.final
    .then((reply) =>
      adapter.continueConversationAsync(deps.botAppId, reference, async (later) => {
        const answer = activityOf(reply);
        if (!posted?.id) {
          await later.sendActivity(answer);
          return;
        }
        // The interim message may be gone (deleted in Teams): the answer then comes as a new message.
        await later.updateActivity({ ...answer, id: posted.id }).catch(async (error: unknown) => {
          deps.logger.warn({ event: 'command.interim_edit_failed', err: error }, 'could not edit the interim answer; posting the result instead');
          await later.sendActivity(answer);
        });
      }),
    )
    .catch((error: unknown) => deps.logger.error({ event: 'command.late_reply_failed', err: error }, 'could not deliver a command result'));
}
