import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

export const SUMMARY_KINDS = ['customer', 'handover'] as const;
/** `customer`: a morning card per customer in its linked channel; `handover`: the SOC channel's shift hand-over across customers. */
export type SummaryKind = (typeof SUMMARY_KINDS)[number];

/** A daily summary set with `summary daily HH:MM [timezone]` in one conversation (one per conversation). */
export const SummaryScheduleSchema = z.object({
  /** The conversation it is posted to (base id); also the key. */
  conversationId: z.string().min(1),
  kind: z.enum(SUMMARY_KINDS),
  /** The customers it covers (Entra tenant ids); empty: every customer linked here (customer) or connected (handover), as they are when it fires. */
  tenantIds: z.array(z.string().min(1)),
  /** Local time of day, `HH:MM` (24-hour). */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  /** IANA time zone, e.g. Europe/Berlin. */
  timeZone: z.string().min(1),
  setBy: z.string(),
  setByName: z.string(),
  /** When it was set: runs due before that are not sent. */
  setAt: z.iso.datetime(),
  /** The local day (`YYYY-MM-DD`) of the last run sent, written before it is sent, so a day is never sent twice. */
  lastRunDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  lastRunAt: z.iso.datetime().optional(),
  lastRunLate: z.boolean().optional(),
  /** Why the last run could not be posted, if it could not. */
  lastError: z.string().optional(),
});
export type SummarySchedule = z.infer<typeof SummaryScheduleSchema>;

/** The daily summaries, keyed by conversation. */
export const SUMMARY_SCHEDULES: CollectionSpec<SummarySchedule> = { name: 'summary-schedules', schema: SummaryScheduleSchema, keyOf: (s) => s.conversationId };
