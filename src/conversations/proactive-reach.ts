import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConversationRecord } from './conversation-schema.js';
import { ChatDeliveryError, type Messenger } from './messenger.js';

/**
 * Answers whether Teams lets SOC Bridge post into a conversation on its own (proactively), as alert
 * cards are posted. A reply in a turn can work where a proactive post does not: in a private or
 * shared channel of a team the app was not added to, Teams refuses proactive posts with 403
 * `BotNotInConversationRoster` (or 404), so a link made there would only fail at the first alert.
 */
export class ProactiveReach {
  constructor(private readonly deps: { readonly messenger: Messenger; readonly logger: Logger }) {}

  /**
   * Posts a typing indicator proactively; throws a UsageError saying what to do when Teams refuses
   * it for good. Throttling and outages prove nothing either way, so they let the caller go on.
   */
  async ensureReachable(conversation: ConversationRecord): Promise<void> {
    try {
      await this.deps.messenger.probe(conversation);
    } catch (error) {
      if (!(error instanceof ChatDeliveryError)) throw error;
      if (error.kind !== 'gone' && error.kind !== 'rejected') {
        this.deps.logger.warn({ event: 'conversation.probe-inconclusive', conversationId: conversation.id, kind: error.kind, status: error.status }, 'proactive post check did not get an answer; going on');
        return;
      }
      this.deps.logger.warn({ event: 'conversation.proactive-refused', conversationId: conversation.id, kind: error.kind, status: error.status, detail: error.message }, 'Teams refuses proactive posts in this conversation');
      throw new UsageError(refusalSentence(conversation, error.status));
    }
  }
}

function refusalSentence(conversation: ConversationRecord, status: number | undefined): string {
  const answer = `Teams answered ${status ?? 'with an error'}`;
  const where = conversation.kind === 'channel' ? 'this channel' : 'this chat';
  const fix =
    conversation.kind === 'channel'
      ? 'This happens in private and shared channels when SOC Bridge was not added to the team that owns the channel. Link a standard channel or a group chat instead, or add SOC Bridge to this channel\'s team (for a shared channel, its host team) and type "link" here again.'
      : 'Remove SOC Bridge from this chat, add it again, and type "link" here again, or link a standard channel instead.';
  return `Not linked: Teams does not let SOC Bridge post alerts in ${where} on its own (${answer} to a test post), so no alert would arrive here. ${fix}`;
}
