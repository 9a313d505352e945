import { z } from 'zod/v4';
import { COMMENT_FIELD, VERDICT_FIELDS, checkVerdict, determinationFromForm } from '../alerts/action-payloads.js';
import { SEVERITIES } from '../defender/alert-enums.js';
import { INCIDENT_ID_PATTERN, INCIDENT_STATUSES, WRITABLE_INCIDENT_STATUSES } from '../defender/incident.js';

/** Incident card action payloads, validated at the edge like every card's data. */
const tenantId = z.string().regex(/^[0-9a-f-]{36}$/i);
const incidentId = z.string().regex(INCIDENT_ID_PATTERN);

export const IncidentRefPayload = z.object({ tenantId, incidentId, version: z.string().max(40).optional() });
export type IncidentRef = z.infer<typeof IncidentRefPayload>;

export const IncidentStatusPayload = IncidentRefPayload.extend({ status: z.enum(WRITABLE_INCIDENT_STATUSES, { error: 'Choose Active, In progress or Resolved.' }) });

export const IncidentClassifyPayload = z.preprocess(determinationFromForm, IncidentRefPayload.extend(VERDICT_FIELDS).superRefine(checkVerdict));

export const IncidentCommentPayload = IncidentRefPayload.extend(COMMENT_FIELD);

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 100;

/** The tags form: comma-separated text (empty removes every custom tag), each tag once whatever its case. */
export const IncidentTagsPayload = IncidentRefPayload.extend({
  tags: z
    .string({ error: 'Write the tags, comma-separated (or leave the field empty to remove them all).' })
    .max(2000, 'The tags are too long: at most 2,000 characters in all.')
    .transform((text) => {
      const tags = new Map<string, string>();
      for (const tag of text.split(',').map((t) => t.trim()).filter(Boolean)) if (!tags.has(tag.toLowerCase())) tags.set(tag.toLowerCase(), tag);
      return [...tags.values()];
    })
    .pipe(
      z
        .array(z.string().max(MAX_TAG_LENGTH, `A tag can be at most ${MAX_TAG_LENGTH} characters.`))
        .max(MAX_TAGS, `At most ${MAX_TAGS} custom tags.`),
    ),
});

export const IncidentMorePayload = z.object({
  tenant: z.string().min(1).max(260),
  top: z.number().int().min(1).max(25),
  page: z.number().int().min(2).max(1000),
  cursor: z.object({ before: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time'), seen: z.array(incidentId).max(200) }),
  filter: z.object({
    severities: z.array(z.enum(SEVERITIES)).optional(),
    statuses: z.array(z.enum(INCIDENT_STATUSES)).optional(),
    sinceMs: z.number().int().positive().optional(),
    sinceLabel: z.string().max(10).optional(),
    assigned: z.string().min(1).max(320).optional(),
  }),
});
export type IncidentMoreRequest = z.infer<typeof IncidentMorePayload>;
