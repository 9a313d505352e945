import { z } from 'zod/v4';
import { UsageError } from '../errors.js';
import { CLASSIFICATIONS, SERVICE_SOURCES, SEVERITIES, STATUSES } from './alert-enums.js';

/**
 * Typed alert queries and the OData `$filter` they become. Nothing here parses OData: clauses are
 * built from values checked against the known enum lists, and every literal is quoted, so no
 * caller-supplied text can change the shape of the filter.
 */

/** Largest `$top` SOC Bridge asks for (Graph documents none for alerts_v2; the legacy API capped it at 1,000). */
export const MAX_PAGE_SIZE = 1000;

const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v));

/** Validates an AlertQuery; unknown enum values and unreadable dates are refused. */
export const AlertQuerySchema = z.strictObject({
  severities: z.array(z.enum(SEVERITIES)).optional(),
  statuses: z.array(z.enum(STATUSES)).optional(),
  serviceSources: z.array(z.enum(SERVICE_SOURCES)).optional(),
  classifications: z.array(z.enum(CLASSIFICATIONS)).optional(),
  assignedTo: z.string().min(1).max(320).optional(),
  createdAfter: instant.optional(),
  createdBefore: instant.optional(),
  updatedSince: instant.optional(),
  updatedBefore: instant.optional(),
  top: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

/**
 * What to list. Lists inside one property are alternatives (or); properties combine with and.
 * Time bounds are half-open: `createdAfter`/`updatedSince` inclusive (ge), `…Before` exclusive (lt).
 * `top` is the page size.
 */
export type AlertQuery = z.input<typeof AlertQuerySchema>;

/** One `$filter` clause built by the functions below; a plain string cannot pass for one. */
export type FilterClause = string & { readonly __brand: 'FilterClause' };

/** The OData form of a string literal: single-quoted, inner single quotes doubled. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `property eq 'value'`. */
export function eq(property: string, value: string): FilterClause {
  return `${property} eq ${quoteLiteral(value)}` as FilterClause;
}

/** `property <op> <instant>` with the instant in UTC ISO 8601, unquoted as OData wants. */
export function compareTime(property: string, op: 'ge' | 'gt' | 'le' | 'lt', at: Date): FilterClause {
  return `${property} ${op} ${at.toISOString()}` as FilterClause;
}

/** Any of the values: one clause, parenthesised when there are several. */
export function anyOf(property: string, values: readonly string[]): FilterClause | undefined {
  const unique = [...new Set(values)];
  if (unique.length === 0) return undefined;
  if (unique.length === 1) return eq(property, unique[0] as string);
  return `(${unique.map((v) => eq(property, v)).join(' or ')})` as FilterClause;
}

/** All of the clauses; undefined when there are none. */
export function allOf(clauses: readonly (FilterClause | undefined)[]): FilterClause | undefined {
  const present = clauses.filter((c): c is FilterClause => c !== undefined);
  return present.length === 0 ? undefined : (present.join(' and ') as FilterClause);
}

/** Checks a query, turning a bad one into a UsageError that names the field and the allowed values. */
export function parseAlertQuery(query: AlertQuery): z.output<typeof AlertQuerySchema> {
  const result = AlertQuerySchema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'query';
  throw new UsageError(`Invalid alert filter (${field}): ${issue?.message ?? 'not allowed'}.`);
}

/** The `$filter` for a query, or undefined when the query selects everything. */
export function buildAlertFilter(query: AlertQuery): string | undefined {
  const q = parseAlertQuery(query);
  return allOf([
    anyOf('severity', q.severities ?? []),
    anyOf('status', q.statuses ?? []),
    anyOf('serviceSource', q.serviceSources ?? []),
    anyOf('classification', q.classifications ?? []),
    q.assignedTo === undefined ? undefined : eq('assignedTo', q.assignedTo),
    q.createdAfter && compareTime('createdDateTime', 'ge', q.createdAfter),
    q.createdBefore && compareTime('createdDateTime', 'lt', q.createdBefore),
    q.updatedSince && compareTime('lastUpdateDateTime', 'ge', q.updatedSince),
    q.updatedBefore && compareTime('lastUpdateDateTime', 'lt', q.updatedBefore),
  ]);
}

/**
 * The query string (without '?') for listing alerts. `$` stays literal, as in Graph's own links;
 * values are percent-encoded. `pageSize` overrides the query's `top`.
 */
export function buildAlertQueryString(query: AlertQuery, pageSize?: number): string {
  const filter = buildAlertFilter(query);
  const top = pageSize ?? query.top;
  if (top !== undefined && !(Number.isInteger(top) && top >= 1 && top <= MAX_PAGE_SIZE)) {
    throw new UsageError(`Invalid page size ${top}: use a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  const parts: string[] = [];
  if (filter !== undefined) parts.push(`$filter=${encodeURIComponent(filter)}`);
  if (top !== undefined) parts.push(`$top=${top}`);
  return parts.join('&');
}
