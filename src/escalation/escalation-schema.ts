import { z } from 'zod/v4';

/**
 * What escalations keep: one record per alert and escalating rule, from the moment delivery
 * routes the alert until its last level is sent or someone takes the alert. Kept in a record set
 * of its own beside delivery's (the instance running delivery owns both, and its writes are
 * fenced by the same lease).
 */
export const ESCALATION_RECORD_SET = 'escalations';
/** The one section of the record set. */
export const ESCALATION_SECTION = 'escalations';

/** A level taken for sending: written before the follow-up is posted, so it is never posted twice. */
export const FiredLevelSchema = z.object({
  /** 1 or 2. */
  level: z.number().int().min(1).max(2),
  at: z.iso.datetime(),
  /** Passed over: a later level was due too when this one was looked at (SOC Bridge was down). */
  skipped: z.boolean().optional(),
  /** Teams took the follow-up. */
  posted: z.boolean().optional(),
  /** Why the follow-up could not be posted, if it could not. */
  error: z.string().optional(),
});
export type FiredLevel = z.infer<typeof FiredLevelSchema>;

export const EscalationRecordSchema = z.object({
  /** `tenantId/alertId|ruleId`. */
  key: z.string().min(1),
  tenantId: z.string().min(1),
  alertId: z.string().min(1),
  ruleId: z.string().min(1),
  /** The alert's createdDateTime in Defender: each level's wait counts from it. */
  createdDateTime: z.string().min(1),
  recordedAt: z.iso.datetime(),
  fired: z.array(FiredLevelSchema),
});
export type EscalationRecord = z.infer<typeof EscalationRecordSchema>;

export const escalationKeyOf = (tenantId: string, alertId: string, ruleId: string): string => `${tenantId}/${alertId}|${ruleId}`;
