import type { Collection, Storage } from '../store/storage.js';
import type { SummaryRun } from './due-run.js';
import { SUMMARY_SCHEDULES, type SummarySchedule } from './summary-schema.js';

/** The daily summaries' repository: one schedule per conversation. */
export class SummarySchedules {
  private readonly records: Collection<SummarySchedule>;

  constructor(storage: Storage) {
    this.records = storage.collection(SUMMARY_SCHEDULES);
  }

  all(): readonly SummarySchedule[] {
    return this.records.all();
  }

  get(conversationId: string): SummarySchedule | undefined {
    return this.records.get(conversationId);
  }

  /** Sets (or replaces) the conversation's schedule; a replaced one's record of sent days starts over. */
  async set(schedule: SummarySchedule): Promise<void> {
    await this.records.write((draft) => draft.put(schedule));
  }

  /** Removes the conversation's schedule; false if it had none. */
  async remove(conversationId: string): Promise<boolean> {
    return this.records.write((draft) => draft.delete(conversationId));
  }

  /**
   * Marks `run` sent, unless that day was sent already or the schedule is gone; returns the
   * schedule as it was claimed (undefined: not to be sent).
   */
  async claimRun(conversationId: string, run: SummaryRun, atIso: string): Promise<SummarySchedule | undefined> {
    return this.records.write((draft) => {
      const current = draft.get(conversationId);
      if (!current || (current.lastRunDay !== undefined && current.lastRunDay >= run.day)) return undefined;
      const { lastError: _previous, ...rest } = current;
      draft.put({ ...rest, lastRunDay: run.day, lastRunAt: atIso, lastRunLate: run.late });
      return current;
    });
  }

  async noteFailure(conversationId: string, message: string): Promise<void> {
    await this.records.write((draft) => {
      const current = draft.get(conversationId);
      if (current) draft.put({ ...current, lastError: message.slice(0, 300) });
    });
  }
}
