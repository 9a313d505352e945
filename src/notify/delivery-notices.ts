import { notice, type Reply } from '../chat/reply.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';

/**
 * What the SOC channel is told when alert delivery loses a target: a Teams channel that refuses
 * the bot, or another target (a webhook) that refuses what SOC Bridge sends. Each is said once per
 * breakage; the caller knows whether it is the first time.
 */
export class DeliveryNotices {
  constructor(
    private readonly deps: {
      soc: { notify(reply: Reply, event: string): Promise<boolean> };
      conversations: { get(id: string): ConversationRecord | undefined };
    },
  ) {}

  /** Teams said the bot can no longer post in a conversation; `undelivered` alerts were waiting there. */
  async channelBroken(conversationId: string, reason: string, undelivered: number): Promise<void> {
    const name = this.placeName(conversationId);
    await this.deps.soc.notify(
      notice({
        tone: 'warning',
        title: 'Alert channel broken',
        text: `SOC Bridge can no longer post alerts in ${name}: ${reason}. ${undelivered} waiting alert${undelivered === 1 ? ' was' : 's were'} not delivered there.`,
        details: ['Add SOC Bridge to that channel again and link it again, or link another channel; run "channels" to see every link.'],
      }),
      'delivery.link_broken',
    );
  }

  /** A notification target (e.g. `webhook siem`) refused alerts for good; the next success clears it. */
  async targetFailing(target: string, reason: string): Promise<void> {
    await this.deps.soc.notify(
      notice({
        tone: 'warning',
        title: 'Alert target failing',
        text: `SOC Bridge could not deliver an alert to ${target}: ${reason}.`,
        details: [`Alerts for ${target} that fail this way are not retried. Fix the receiving side (or the configuration) and run "rule test" on a rule that uses it; "rules" shows the target's health.`],
      }),
      'delivery.target_failing',
    );
  }

  private placeName(conversationId: string): string {
    const c = this.deps.conversations.get(conversationId);
    if (c?.channelName) return `${c.teamName ? `${c.teamName} › ` : ''}${c.channelName}`;
    return c?.title ?? conversationId;
  }
}
