import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { notice, type Reply } from '../../src/chat/reply.js';
import type { ConversationRecord } from '../../src/conversations/conversation-schema.js';
import type { Messenger, SentMessage } from '../../src/conversations/messenger.js';
import { silentLogger } from '../../src/log.js';
import { openMigratedDatabase } from '../../src/store/postgres/open-database.js';
import { PostgresStorage } from '../../src/store/postgres/postgres-storage.js';
import type { Storage } from '../../src/store/storage.js';
import type { SummaryRun } from '../../src/summaries/due-run.js';
import { SummaryScheduler } from '../../src/summaries/summary-scheduler.js';
import { SummarySchedules } from '../../src/summaries/summary-schedules.js';
import type { SummarySchedule } from '../../src/summaries/summary-schema.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { useTestDatabase } from '../helpers/postgres.js';

const testDatabase = useTestDatabase();
const CHANNEL: ConversationRecord = { id: '19:contoso@thread.tacv2', kind: 'channel', serviceUrl: 'https://smba.example/', channelId: 'msteams', botId: '28:bot', active: true, installedAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' };

/** Records every post into one list shared by the instances. */
class RecordingMessenger implements Messenger {
  constructor(
    private readonly instance: string,
    private readonly posts: { instance: string; reply: Reply }[],
  ) {}
  async send(_conversation: ConversationRecord, reply: Reply): Promise<SentMessage> {
    this.posts.push({ instance: this.instance, reply });
    return { messageId: String(this.posts.length) };
  }
  async update(): Promise<void> {}
  async reply(): Promise<SentMessage> {
    throw new Error('summaries post no thread replies');
  }
  async probe(): Promise<void> {}
}

describe('daily summaries on two instances sharing one PostgreSQL database', () => {
  const clock = new ManualClock(Date.parse('2026-03-28T06:00:00.000Z'));
  const storages: Storage[] = [];
  const posts: { instance: string; reply: Reply }[] = [];
  const schedulers: SummaryScheduler[] = [];

  beforeAll(async () => {
    for (const instance of ['a', 'b']) {
      const storage = new PostgresStorage(await openMigratedDatabase(testDatabase().config, silentLogger), silentLogger);
      storages.push(storage);
      const schedules = new SummarySchedules(storage);
      await storage.refresh();
      const messenger = new RecordingMessenger(instance, posts);
      const content = {
        morning: async (_schedule: SummarySchedule, run: SummaryRun) => [notice({ title: `Morning summary ${run.day}`, text: run.late ? 'late' : 'on time' })],
        handover: async () => notice({ title: 'Shift hand-over', text: '' }),
      };
      schedulers.push(new SummaryScheduler({ storage, schedules, content, conversations: { get: () => CHANNEL }, messenger, clock, logger: silentLogger }));
    }
    await new SummarySchedules(storages[0]!).set({ conversationId: CHANNEL.id, kind: 'customer', tenantIds: [], time: '07:30', timeZone: 'Europe/Berlin', setBy: 'u', setByName: 'U', setAt: '2026-03-28T05:00:00.000Z' });
  });
  afterAll(async () => {
    for (const storage of storages) await storage.close();
  });

  it('sends each day\'s run once, whichever instance looks first and however often both look', async () => {
    await clock.advance(35 * 60_000);
    // 06:35 UTC is 07:35 in Berlin: both instances find the run due and look at the same moment, twice.
    await Promise.all(schedulers.flatMap((s) => [s.tick(), s.tick()]));
    await Promise.all(schedulers.map((s) => s.tick()));
    expect(posts.map((p) => (p.reply.kind === 'card' ? p.reply.summary : ''))).toEqual(['Morning summary 2026-03-28: on time']);
    await clock.advance(24 * 3_600_000);
    await Promise.all(schedulers.map((s) => s.tick()));
    expect(posts).toHaveLength(2);
  });

  it('stops at once, whether it is looking or sleeping between looks', async () => {
    const [scheduler] = schedulers;
    scheduler!.start();
    // Stopped while its first look runs, and never woken by the clock: stop() must not wait for a tick.
    await scheduler!.stop();
    expect(posts).toHaveLength(2);
  });
});
