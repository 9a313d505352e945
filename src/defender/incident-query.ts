import { z } from 'zod/v4';
import { UsageError } from '../errors.js';
import { CLASSIFICATIONS, SEVERITIES } from './alert-enums.js';
import { MAX_PAGE_SIZE, allOf, anyOf, compareTime, eq, type FilterClause } from './alert-query.js';
import { INCIDENT_STATUSES } from './incident.js';

/**
 * Typed incident queries and the OData `$filter` they become, built like alert queries: only
 * known enum members and quoted literals, so no caller-supplied text can change the filter's shape.
 */

const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v));

/** Validates an IncidentQuery; unknown enum values and unreadable dates are refused. */
export const IncidentQuerySchema = z.strictObject({
  severities: z.array(z.enum(SEVERITIES)).optional(),
  statuses: z.array(z.enum(INCIDENT_STATUSES)).optional(),
  classifications: z.array(z.enum(CLASSIFICATIONS)).optional(),
  /** An owner's address, or null for incidents nobody owns. */
  assignedTo: z.string().min(1).max(320).nullable().optional(),
  updatedSince: instant.optional(),
  updatedBefore: instant.optional(),
  createdAfter: instant.optional(),
  top: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  /** Each incident with its alerts (`$expand=alerts`). */
  withAlerts: z.boolean().optional(),
});

/**
 * What to list. Lists inside one property are alternatives (or); properties combine with and.
 * `updatedSince`/`createdAfter` are inclusive (ge), `updatedBefore` exclusive (lt).
 */
export type IncidentQuery = z.input<typeof IncidentQuerySchema>;

/** The `$filter` for a query, or undefined when the query selects everything. */
export function buildIncidentFilter(query: IncidentQuery): string | undefined {
  const result = IncidentQuerySchema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`Invalid incident filter (${issue?.path.join('.') || 'query'}): ${issue?.message ?? 'not allowed'}.`);
  }
  const q = result.data;
  return allOf([
    anyOf('severity', q.severities ?? []),
    anyOf('status', q.statuses ?? []),
    anyOf('classification', q.classifications ?? []),
    q.assignedTo === undefined ? undefined : q.assignedTo === null ? ('assignedTo eq null' as FilterClause) : eq('assignedTo', q.assignedTo),
    q.createdAfter && compareTime('createdDateTime', 'ge', q.createdAfter),
    q.updatedSince && compareTime('lastUpdateDateTime', 'ge', q.updatedSince),
    q.updatedBefore && compareTime('lastUpdateDateTime', 'lt', q.updatedBefore),
  ]);
}

/** The query string (without '?') for listing incidents; `pageSize` overrides the query's `top`. */
export function buildIncidentQueryString(query: IncidentQuery, pageSize?: number): string {
  const filter = buildIncidentFilter(query);
  const top = pageSize ?? query.top;
  if (top !== undefined && !(Number.isInteger(top) && top >= 1 && top <= MAX_PAGE_SIZE)) {
    throw new UsageError(`Invalid page size ${top}: use a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const parts: string[] = [];
  if (filter !== undefined) parts.push(`$filter=${encodeURIComponent(filter)}`);
  if (top !== undefined) parts.push(`$top=${top}`);
  if (query.withAlerts) parts.push('$expand=alerts');
  return parts.join('&');
}
