import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import type { Storage } from '../store/storage.js';
import { dueRun, type SummaryRun } from './due-run.js';
import type { SummaryContent } from './summary-content.js';
import type { SummarySchedules } from './summary-schedules.js';
import type { SummarySchedule } from './summary-schema.js';

/** How often due summaries are looked for: a run on time goes out within this of its minute. */
export const SUMMARY_TICK_MS = 30_000;
/** How long one instance holds a day's run of one schedule: long enough that no other instance sends it meanwhile. */
const RUN_LEASE_MS = 60 * 60_000;

/**
 * Sends daily summaries when they are due. Each run is claimed with the lease
 * `summary:<conversation>:<day>`, so one instance sends it however many run; the day is then
 * written to the schedule before anything is posted, so a restart (or another instance) never
 * sends that day again. At most once: a post that fails is logged and kept on the schedule, not
 * retried into a second card.
 */
export class SummaryScheduler {
  private readonly holder = `summaries-${randomUUID()}`;
  private stopped = false;
  private signalStop: () => void = () => undefined;
  /** Settles on stop(), cutting the sleep between two looks short. */
  private readonly stopSignal = new Promise<void>((resolve) => (this.signalStop = resolve));
  private loop: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      storage: Storage;
      schedules: SummarySchedules;
      content: Pick<SummaryContent, 'morning' | 'handover'>;
      conversations: Pick<ConversationRegistry, 'get'>;
      messenger: Messenger;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Starts looking every SUMMARY_TICK_MS; the first look is at once, so a run missed while down is sent now. */
  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.tick();
        if (!this.stopped) await Promise.race([this.deps.clock.sleep(SUMMARY_TICK_MS), this.stopSignal]);
      }
    })();
  }

  /** Stops looking and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.loop;
  }

  /** Sends every run due now. Never throws: a failure is logged and the next tick goes on. */
  async tick(): Promise<void> {
    try {
      await this.deps.storage.refresh();
      for (const schedule of this.deps.schedules.all()) {
        const run = dueRun(schedule, this.deps.clock.nowMs());
        if (run && !this.stopped) await this.fire(schedule, run);
      }
    } catch (error) {
      this.deps.logger.error({ event: 'summary.tick_failed', err: error }, 'looking for due summaries failed');
    }
  }

  private async fire(schedule: SummarySchedule, run: SummaryRun): Promise<void> {
    const { storage, schedules, logger } = this.deps;
    const lease = await storage.leases.acquire(`summary:${schedule.conversationId}:${run.day}`, this.holder, RUN_LEASE_MS);
    if (!lease) return;
    // Claimed: record the day first (another instance may have sent it before the lease was ours).
    const claimed = await schedules.claimRun(schedule.conversationId, run, this.deps.clock.now().toISOString());
    if (!claimed) return;
    const conversation = this.deps.conversations.get(schedule.conversationId);
    const log = { event: 'summary.sent', conversationId: schedule.conversationId, kind: schedule.kind, day: run.day, late: run.late };
    try {
      if (!conversation?.active) throw new Error('SOC Bridge is no longer in that conversation');
      const replies = claimed.kind === 'handover' ? [await this.deps.content.handover(claimed, run)] : await this.deps.content.morning(claimed, run);
      for (const reply of replies) await this.deps.messenger.send(conversation, reply);
      logger.info({ ...log, cards: replies.length }, 'daily summary sent');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ ...log, event: 'summary.failed', err: message }, 'daily summary could not be sent');
      await schedules.noteFailure(schedule.conversationId, message);
    }
  }
}
