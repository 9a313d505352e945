import { z } from 'zod/v4';
import { AlertCommentSchema, AlertSchema, type OpenEnum } from './alert.js';
import { CLASSIFICATIONS, DETERMINATIONS_ACCEPTED_ON_READ, SEVERITIES } from './alert-enums.js';

/**
 * `microsoft.graph.security.incident` as Graph sends it (reference §6): a group of alerts Defender
 * XDR correlated. Like alerts, everything here comes from a customer tenant and stays untrusted.
 */

/** Incident statuses in Graph's order; `awaitingAction` comes only with `Prefer: include-unknown-enum-members`. */
export const INCIDENT_STATUSES = ['active', 'resolved', 'inProgress', 'redirected', 'unknownFutureValue', 'awaitingAction'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses an update may set: `redirected` is Defender's own (a merge), `awaitingAction` Defender Experts'. */
export const WRITABLE_INCIDENT_STATUSES = ['active', 'inProgress', 'resolved'] as const;
export type WritableIncidentStatus = (typeof WRITABLE_INCIDENT_STATUSES)[number];

/** The statuses of an incident somebody still has to work on. */
export const OPEN_INCIDENT_STATUSES: readonly IncidentStatus[] = ['active', 'inProgress', 'awaitingAction'];

/** Incident ids are Defender's numbers; the pattern also admits the ids of other providers. */
export const INCIDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Graph's own example answers spell enum members in PascalCase (`Active`, `TruePositive`) next to
 * the camelCase its metadata defines; both are read as the camelCase member.
 */
function camelEnum<T extends string>(_values: readonly T[]) {
  return z.string().transform((value) => value.charAt(0).toLowerCase() + value.slice(1)) as unknown as z.ZodType<OpenEnum<T>, string>;
}

/** Graph's examples name a comment's author and time `createdBy` and `createdTime`; the metadata does not. */
const IncidentCommentSchema = z.preprocess((value) => {
  if (value === null || typeof value !== 'object') return value;
  const comment = value as Record<string, unknown>;
  return { ...comment, createdByDisplayName: comment.createdByDisplayName ?? comment.createdBy, createdDateTime: comment.createdDateTime ?? comment.createdTime };
}, AlertCommentSchema);

/** One example answer calls the custom tags `tags`; the resource page calls them `customTags`. */
function withCustomTags(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const incident = value as Record<string, unknown>;
  return incident.customTags === undefined && Array.isArray(incident.tags) ? { ...incident, customTags: incident.tags } : incident;
}

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date-time');
const text = z.string().nullish();
const listOf = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

/** `microsoft.graph.security.incident`, with its alerts when asked for with `$expand=alerts`. */
export const IncidentSchema = z.preprocess(
  withCustomTags,
  z.looseObject({
    '@odata.type': z.string().optional(),
    id: z.string().min(1),
    incidentWebUrl: text,
    tenantId: text,
    redirectIncidentId: text,
    displayName: z.string().nullish().transform((v) => v ?? ''),
    description: text,
    createdDateTime: dateTime,
    lastUpdateDateTime: dateTime,
    assignedTo: text,
    classification: camelEnum(CLASSIFICATIONS).nullish(),
    determination: camelEnum(DETERMINATIONS_ACCEPTED_ON_READ).nullish(),
    status: camelEnum(INCIDENT_STATUSES),
    severity: camelEnum(SEVERITIES),
    customTags: listOf(z.string()),
    systemTags: listOf(z.string()),
    comments: listOf(IncidentCommentSchema),
    alerts: z.array(AlertSchema).optional(),
  }),
);
export type Incident = z.infer<typeof IncidentSchema>;

/** The body of `GET /security/incidents`: one page. */
export const IncidentListResponseSchema = z.looseObject({
  '@odata.context': z.string().optional(),
  '@odata.count': z.number().int().nonnegative().optional(),
  '@odata.nextLink': z.string().nullish(),
  value: z.array(IncidentSchema),
});

/** The body of `GET /security/incidents/{id}/alerts`: one page of the incident's alerts. */
export const IncidentAlertsResponseSchema = z.looseObject({
  '@odata.nextLink': z.string().nullish(),
  value: z.array(AlertSchema),
});

/** The body of `POST /security/incidents/{id}/comments`: every comment, oldest first. */
export const IncidentCommentListResponseSchema = z.looseObject({
  '@odata.context': z.string().optional(),
  value: z.array(IncidentCommentSchema),
});
