import type { ConversationReference, TurnContext } from 'botbuilder';
import type { Reply } from '../chat/reply.js';
import { ChatDeliveryError, threadConversationId, type Messenger, type SentMessage } from '../conversations/messenger.js';
import { parseRetryAfterMs } from '../rate-limit/backoff.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import { SENT_BY_DELIVERY } from './adapter.js';
import { activityOf } from './render.js';

interface ContinuingAdapter {
  continueConversationAsync(botAppId: string, reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/** What Teams needs to reach a stored conversation again. */
export function referenceOf(conversation: ConversationRecord, conversationId = conversation.id): Partial<ConversationReference> {
  return {
    serviceUrl: conversation.serviceUrl,
    channelId: conversation.channelId,
    bot: { id: conversation.botId, name: conversation.botName ?? 'SOC Bridge' },
    conversation: {
      id: conversationId,
      isGroup: conversation.kind !== 'personal',
      conversationType: conversation.kind,
      ...(conversation.teamsTenantId ? { tenantId: conversation.teamsTenantId } : {}),
      name: conversation.title ?? conversation.channelName ?? '',
    },
  };
}

/**
 * The Messenger port over botbuilder's proactive messaging (continueConversationAsync). Its sends
 * pass the adapter's send gate as replies, or as alert cards (after replies) when `forDelivery`.
 */
export class TeamsMessenger implements Messenger {
  constructor(
    private readonly adapter: ContinuingAdapter,
    private readonly botAppId: string,
    private readonly nowMs: () => number = Date.now,
    private readonly forDelivery = false,
  ) {}

  async send(conversation: ConversationRecord, reply: Reply): Promise<SentMessage> {
    let messageId: string | undefined;
    await this.run(conversation, async (context) => {
      const response = await context.sendActivity(activityOf(reply));
      messageId = response?.id || undefined;
    });
    return { messageId };
  }

  async update(conversation: ConversationRecord, messageId: string, reply: Reply): Promise<void> {
    await this.run(conversation, async (context) => {
      await context.updateActivity({ ...activityOf(reply), id: messageId });
    });
  }

  async reply(conversation: ConversationRecord, rootMessageId: string, reply: Reply): Promise<SentMessage> {
    let messageId: string | undefined;
    await this.run(conversation, async (context) => {
      const response = await context.sendActivity(activityOf(reply));
      messageId = response?.id || undefined;
    }, threadConversationId(conversation.id, rootMessageId));
    return { messageId };
  }

  async probe(conversation: ConversationRecord): Promise<void> {
    await this.run(conversation, async (context) => {
      await context.sendActivity({ type: 'typing' });
    });
  }

  private async run(conversation: ConversationRecord, logic: (context: TurnContext) => Promise<void>, conversationId = conversation.id): Promise<void> {
    // The adapter hands errors thrown inside the turn to its onTurnError handler and resolves, so
    // catch them in the turn to learn whether the post really went through.
    let failure: unknown;
    let failed = false;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, referenceOf(conversation, conversationId), async (context) => {
        try {
          if (this.forDelivery) context.turnState.set(SENT_BY_DELIVERY, true);
          await logic(context);
        } catch (error) {
          failed = true;
          failure = error;
        }
      });
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (failed) throw this.classify(failure);
  }

  private classify(error: unknown): ChatDeliveryError {
    const failure = error as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } }; message?: string };
    const status = failure.statusCode;
    const retryAfter = failure.response?.headers?.get?.('retry-after');
    const retryAfterMs = parseRetryAfterMs(retryAfter, this.nowMs());
    const message = `Teams answered ${status ?? 'no status'}: ${(failure.message ?? String(error)).slice(0, 200)}`;
    if (status === 429) return new ChatDeliveryError('throttled', status, retryAfterMs, message);
    if (status === 403 || status === 404 || status === 410) return new ChatDeliveryError('gone', status, undefined, message);
    if (status === undefined || status === 412 || status >= 500) return new ChatDeliveryError('transient', status, retryAfterMs, message);
    return new ChatDeliveryError('rejected', status, undefined, message);
  }
}
