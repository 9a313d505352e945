import { z } from 'zod/v4';
import { DETERMINATIONS_BY_CLASSIFICATION, SERVICE_SOURCES, SEVERITIES, STATUSES, WRITABLE_DETERMINATIONS, WRITABLE_STATUSES } from '../defender/alert-enums.js';

/**
 * Card action payloads, validated at the edge: a card's data comes back from the client and is
 * as untrusted as anything typed.
 */
const tenantId = z.string().regex(/^[0-9a-f-]{36}$/i);
const alertId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/);

export const AlertRefPayload = z.object({ tenantId, alertId, version: z.string().max(40).optional() });
export type AlertRef = z.infer<typeof AlertRefPayload>;

export const StatusPayload = AlertRefPayload.extend({ status: z.enum(WRITABLE_STATUSES, { error: 'Choose New, In progress or Resolved.' }) });

const CLASSIFIABLE = Object.keys(DETERMINATIONS_BY_CLASSIFICATION) as (keyof typeof DETERMINATIONS_BY_CLASSIFICATION)[];

/**
 * The Classify card asks for the determination in an input named after the classification
 * (`determination-truePositive`), since each classification offers its own list.
 */
export function determinationFromForm(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const record = data as Record<string, unknown>;
  const fromForm = typeof record.classification === 'string' ? record[`determination-${record.classification}`] : undefined;
  return record.determination === undefined && fromForm !== undefined ? { ...record, determination: fromForm } : record;
}

/** A classification and a determination, as the Classify card sends them (on alert and incident cards). */
export const VERDICT_FIELDS = {
  classification: z.enum(CLASSIFIABLE, { error: 'Choose a classification.' }),
  determination: z.enum(WRITABLE_DETERMINATIONS as unknown as [string, ...string[]], { error: 'Choose a determination.' }),
};

/** Refuses a determination that does not go with the classification chosen. */
export function checkVerdict(value: { classification: (typeof CLASSIFIABLE)[number]; determination: string }, ctx: z.RefinementCtx): void {
  const allowed: readonly string[] = DETERMINATIONS_BY_CLASSIFICATION[value.classification];
  if (!allowed.includes(value.determination)) {
    ctx.addIssue({ code: 'custom', path: ['determination'], message: `"${value.determination}" does not go with ${value.classification}; choose one of: ${allowed.join(', ')}.` });
  }
}

/** A comment of 1 to 1,000 characters. */
export const COMMENT_FIELD = {
  comment: z.string({ error: 'Write a comment first.' }).trim().min(1, 'Write a comment first.').max(1000, 'A comment can be at most 1,000 characters.'),
};

export const ClassifyPayload = z.preprocess(determinationFromForm, AlertRefPayload.extend(VERDICT_FIELDS).superRefine(checkVerdict));

export const CommentPayload = AlertRefPayload.extend(COMMENT_FIELD);

export const MorePayload = z.object({
  tenant: z.string().min(1).max(260),
  top: z.number().int().min(1).max(50),
  page: z.number().int().min(2).max(1000),
  cursor: z.object({ before: z.iso.datetime({ offset: true }), seen: z.array(alertId).max(200) }),
  filter: z.object({
    severities: z.array(z.enum(SEVERITIES)).optional(),
    statuses: z.array(z.enum(STATUSES)).optional(),
    sources: z.array(z.enum(SERVICE_SOURCES)).optional(),
    sinceMs: z.number().int().positive().optional(),
    sinceLabel: z.string().max(10).optional(),
  }),
});
export type MoreRequest = z.infer<typeof MorePayload>;
