import { UsageError } from '../../errors.js';
import { commandButton, notice, type Reply } from '../../chat/reply.js';
import { describeLocal } from '../../summaries/local-time.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';

/** `summary daily HH:MM [timezone] [tenant…]` / `summary off` in a linked channel or the SOC channel. */
export async function summary({ command, actor, place, services }: HandlerContext<CommandOf<'summary'>>): Promise<Reply> {
  if (command.schedule === 'off') {
    const removed = await services.summaries.off(place.conversationId, actor);
    return removed
      ? notice({ tone: 'good', title: 'Daily summary stopped', text: `This conversation no longer gets the summary at ${removed.time} ${removed.timeZone}.` })
      : notice({ title: 'No daily summary here', text: 'This conversation has no daily summary, so there was nothing to stop.' });
  }
  const conversation = services.conversations.get(place.conversationId);
  if (!conversation) throw new UsageError('SOC Bridge has no record of this conversation yet. Remove the app from it and add it again, then set the summary.');
  const { schedule, customers, nextMs } = await services.summaries.set({ conversation, actor, time: command.time, timeZone: command.timeZone, tenantRefs: command.tenants });
  const who = customers.length ? customers.map((t) => t.displayName).join(', ') : 'every connected customer';
  const what =
    schedule.kind === 'handover'
      ? `the shift hand-over for ${who}: open alerts by severity per customer, unowned high-severity alerts, the oldest open alerts, and the channels and consents that need attention`
      : `a morning summary for ${who}, one card per customer: the last 24 hours in charts (severity, volume, sources, categories, devices, open and resolved, MTTA and MTTR) and the high and medium alerts still open, oldest first`;
  return notice({
    tone: 'good',
    title: 'Daily summary set',
    text: `Every day at ${schedule.time} ${schedule.timeZone}, this conversation gets ${what}. Next: ${describeLocal(nextMs, schedule.timeZone)}. If SOC Bridge is not running then, the summary comes once when it is back, marked late.`,
    buttons: [commandButton('Stop it', 'summary off')],
  });
}
