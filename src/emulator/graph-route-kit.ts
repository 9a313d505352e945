import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { UNKNOWN_FUTURE_VALUE } from '../defender/alert.js';
import { readBody } from './http-kit.js';
import type { RecordedRequest, TenantState } from './graph-tenant-state.js';
import { compileFilter, FilterError, type FilterVocabulary, type Predicate } from './odata-filter.js';
import type { EmulatorTokenClaims } from './tokens.js';

/** What the alert and incident routes share: the request in hand, role checks, enum hiding, OData list options and paging. */

/** One request on its way through the emulator. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  clientRequestId: string;
  clock: Clock;
  baseUrl: string;
  pageSizes: { defaultSize: number; maxSize: number };
  tenant?: TenantState;
  claims?: EmulatorTokenClaims;
  record?: RecordedRequest;
  reply(status: number, body: unknown, headers?: Record<string, string>): void;
  fail(status: number, code: string, message: string, headers?: Record<string, string>): void;
}

/** Refuses (403) a caller whose token holds none of `roles`; returns whether it may go on. */
export function requireRole(ctx: RouteContext, roles: readonly string[]): boolean {
  if (ctx.claims?.roles.some((r) => roles.includes(r))) return true;
  ctx.fail(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. Required roles: ${roles.join(', ')}.`);
  return false;
}

function prefersUnknownMembers(req: IncomingMessage): boolean {
  const prefer = req.headers.prefer;
  const values = Array.isArray(prefer) ? prefer : [prefer ?? ''];
  return values.some((v) => v.split(',').some((p) => p.trim().toLowerCase() === 'include-unknown-enum-members'));
}

/** Enum properties and the members Graph sends to callers that do not ask for the newer ones. */
export type EvolvableEnums = readonly (readonly [string, ReadonlySet<string>])[];

/** Replaces members after `unknownFutureValue` with the sentinel, unless the caller sent the Prefer header. */
export function hideEvolvable(ctx: RouteContext, item: Record<string, unknown>, evolvable: EvolvableEnums): Record<string, unknown> {
  if (prefersUnknownMembers(ctx.req)) return item;
  for (const [property, base] of evolvable) {
    const value = item[property];
    if (typeof value === 'string' && !base.has(value)) item[property] = UNKNOWN_FUTURE_VALUE;
  }
  return item;
}

function wholeNumber(raw: string | null, name: string, min: number): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new FilterError(`${name} must be a whole number of at least ${min}`);
  return Number(raw);
}

/** A list request's query options, checked. */
export interface ListOptions<T> {
  predicate: Predicate<T>;
  top: number;
  skip: number;
  count: boolean;
  expand: string | undefined;
}

/**
 * Reads `$filter`, `$top`, `$skip`, `$count` and (where `expandable` names it) `$expand`; anything
 * else, or a bad value, answers 400 and returns undefined.
 */
export function readListOptions<T extends object>(ctx: RouteContext, url: URL, vocabulary: FilterVocabulary, expandable: readonly string[] = []): ListOptions<T> | undefined {
  const params = url.searchParams;
  const supported = new Set(['$filter', '$top', '$skip', '$count', ...(expandable.length > 0 ? ['$expand'] : [])]);
  try {
    const unsupported = [...params.keys()].find((k) => k.startsWith('$') && !supported.has(k));
    if (unsupported) throw new FilterError(`query option '${unsupported}' is not supported`);
    const filter = params.get('$filter');
    const count = params.get('$count');
    if (count !== null && count !== 'true' && count !== 'false') throw new FilterError('$count must be true or false');
    const expand = params.get('$expand') ?? undefined;
    if (expand !== undefined && !expandable.includes(expand)) throw new FilterError(`$expand must be ${expandable.join(' or ')}`);
    return {
      predicate: filter === null ? () => true : compileFilter<T>(filter, vocabulary),
      top: Math.min(wholeNumber(params.get('$top'), '$top', 1) ?? ctx.pageSizes.defaultSize, ctx.pageSizes.maxSize),
      skip: wholeNumber(params.get('$skip'), '$skip', 0) ?? 0,
      count: count === 'true',
      expand,
    };
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    ctx.fail(400, 'BadRequest', `Invalid request: ${error.message}.`);
    return undefined;
  }
}

/** Answers one page of `matching` with `@odata.count` and `@odata.nextLink` as Graph does. */
export function replyPage<T>(ctx: RouteContext, url: URL, options: Pick<ListOptions<unknown>, 'top' | 'skip' | 'count'>, matching: readonly T[], present: (item: T) => unknown, context: string): void {
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#${context}` };
  if (options.count) body['@odata.count'] = matching.length;
  body.value = matching.slice(options.skip, options.skip + options.top).map(present);
  if (options.skip + options.top < matching.length) body['@odata.nextLink'] = nextLink(ctx.baseUrl, url, options.skip + options.top);
  ctx.reply(200, body);
}

/** Same query with the next `$skip`, absolute, `$` left literal as in Graph's links. */
function nextLink(baseUrl: string, url: URL, skip: number): string {
  const parts = [...url.searchParams.entries()].filter(([k]) => k !== '$skip').map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  parts.push(`$skip=${skip}`);
  return `${baseUrl}${url.pathname}?${parts.join('&')}`;
}

/** The request body as a JSON object; anything else answers 400 and returns undefined. */
export async function readJsonObject(ctx: RouteContext): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = JSON.parse(await readBody(ctx.req)) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below, like any other unreadable body.
  }
  ctx.fail(400, 'BadRequest', 'The request body must be a JSON object.');
  return undefined;
}

/** The comment a POST …/comments body carries, or undefined after answering 400. */
export function commentText(ctx: RouteContext, body: Record<string, unknown>): string | undefined {
  const type = body['@odata.type'];
  if (type !== undefined && type !== 'microsoft.graph.security.alertComment' && type !== '#microsoft.graph.security.alertComment') {
    ctx.fail(400, 'BadRequest', "'@odata.type' must be microsoft.graph.security.alertComment.");
    return undefined;
  }
  if (typeof body.comment !== 'string' || body.comment.trim() === '') {
    ctx.fail(400, 'BadRequest', "'comment' must be a non-empty string.");
    return undefined;
  }
  return body.comment;
}
