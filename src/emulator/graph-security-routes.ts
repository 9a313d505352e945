import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import {
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS_ACCEPTED_ON_READ,
  LEGACY_DETERMINATIONS,
  SERVICE_SOURCES,
  SEVERITIES,
  STATUSES,
  UNKNOWN_FUTURE_VALUE,
  WRITABLE_CLASSIFICATIONS,
  WRITABLE_DETERMINATIONS,
  WRITABLE_STATUSES,
  baseMembers,
  currentDeterminationName,
  type Alert,
} from '../defender/alert.js';
import { readBody } from './http-kit.js';
import type { RecordedRequest, TenantState } from './graph-tenant-state.js';
import { compileAlertFilter, FilterError, type AlertPredicate } from './odata-filter.js';
import type { EmulatorTokenClaims } from './tokens.js';

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

const ALERTS_PATH = '/v1.0/security/alerts_v2';
const READ_ROLES = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];
const WRITE_ROLES = ['SecurityAlert.ReadWrite.All'];
const QUERY_OPTIONS = new Set(['$filter', '$top', '$skip', '$count']);
const WRITABLE_FIELDS = new Set(['status', 'classification', 'determination', 'assignedTo']);

/** Enum properties and the members Graph sends without the Prefer header. */
const EVOLVABLE: [keyof Alert & string, ReadonlySet<string>][] = [
  ['severity', new Set(baseMembers(SEVERITIES))],
  ['status', new Set(baseMembers(STATUSES))],
  ['classification', new Set(baseMembers(CLASSIFICATIONS))],
  // No determination is evolvable yet; the old names are ordinary members too.
  ['determination', new Set<string>(DETERMINATIONS_ACCEPTED_ON_READ)],
  ['serviceSource', new Set(baseMembers(SERVICE_SOURCES))],
  ['detectionSource', new Set(baseMembers(DETECTION_SOURCES))],
];

/** Routes a request under /v1.0/security/alerts_v2 (the caller has authenticated it). */
export async function handleAlertRoute(ctx: RouteContext): Promise<void> {
  const url = new URL(ctx.req.url ?? '/', ctx.baseUrl);
  const match = /^\/v1\.0\/security\/alerts_v2(?:\/([^/]+)(\/comments)?)?\/?$/.exec(url.pathname);
  if (!match) return ctx.fail(404, 'NotFound', `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`);
  const alertId = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  const method = ctx.req.method ?? 'GET';
  const route =
    alertId === undefined ? (method === 'GET' ? listAlerts : undefined)
    : match[2] ? (method === 'POST' ? addComment : undefined)
    : method === 'GET' ? getAlert
    : method === 'PATCH' ? updateAlert
    : undefined;
  if (!route) return ctx.fail(405, 'Request_BadRequest', `The HTTP method '${method}' is not allowed here.`);
  const needed = route === listAlerts || route === getAlert ? READ_ROLES : WRITE_ROLES;
  if (!ctx.claims?.roles.some((r) => needed.includes(r))) {
    return ctx.fail(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. Required roles: ${needed.join(', ')}.`);
  }
  await route(ctx, url, alertId ?? '');
}

function prefersUnknownMembers(req: IncomingMessage): boolean {
  const prefer = req.headers.prefer;
  const values = Array.isArray(prefer) ? prefer : [prefer ?? ''];
  return values.some((v) => v.split(',').some((p) => p.trim().toLowerCase() === 'include-unknown-enum-members'));
}

/** The alert as Graph serves it to this caller. */
function present(alert: Alert, ctx: RouteContext): Alert {
  // A shallow copy is enough: the answer is serialized at once and only top-level enums change.
  const out: Record<string, unknown> = { '@odata.type': '#microsoft.graph.security.alert', ...alert };
  if (!prefersUnknownMembers(ctx.req)) {
    for (const [property, base] of EVOLVABLE) {
      const value = out[property];
      if (typeof value === 'string' && !base.has(value)) out[property] = UNKNOWN_FUTURE_VALUE;
    }
  }
  return out as Alert;
}

function wholeNumber(raw: string | null, name: string, min: number): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new FilterError(`${name} must be a whole number of at least ${min}`);
  return Number(raw);
}

async function listAlerts(ctx: RouteContext, url: URL): Promise<void> {
  const params = url.searchParams;
  let predicate: AlertPredicate = () => true;
  let top: number;
  let skip: number;
  try {
    const unsupported = [...params.keys()].find((k) => k.startsWith('$') && !QUERY_OPTIONS.has(k));
    if (unsupported) throw new FilterError(`query option '${unsupported}' is not supported`);
    const filter = params.get('$filter');
    if (filter !== null) predicate = compileAlertFilter(filter);
    top = Math.min(wholeNumber(params.get('$top'), '$top', 1) ?? ctx.pageSizes.defaultSize, ctx.pageSizes.maxSize);
    skip = wholeNumber(params.get('$skip'), '$skip', 0) ?? 0;
    const count = params.get('$count');
    if (count !== null && count !== 'true' && count !== 'false') throw new FilterError('$count must be true or false');
  } catch (error) {
    if (error instanceof FilterError) return ctx.fail(400, 'BadRequest', `Invalid request: ${error.message}.`);
    throw error;
  }
  const matching = (ctx.tenant?.sortedAlerts() ?? []).filter(predicate);
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#security/alerts_v2` };
  if (params.get('$count') === 'true') body['@odata.count'] = matching.length;
  body.value = matching.slice(skip, skip + top).map((a) => present(a, ctx));
  if (skip + top < matching.length) body['@odata.nextLink'] = nextLink(ctx.baseUrl, params, skip + top);
  ctx.reply(200, body);
}

/** Same query with the next `$skip`, absolute, `$` left literal as in Graph's links. */
function nextLink(baseUrl: string, params: URLSearchParams, skip: number): string {
  const parts = [...params.entries()].filter(([k]) => k !== '$skip').map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  parts.push(`$skip=${skip}`);
  return `${baseUrl}${ALERTS_PATH}?${parts.join('&')}`;
}

function findAlert(ctx: RouteContext, alertId: string): Alert | undefined {
  const alert = ctx.tenant?.alerts.get(alertId);
  if (!alert) ctx.fail(404, 'NotFound', `Alert ${alertId} was not found.`);
  return alert;
}

async function getAlert(ctx: RouteContext, _url: URL, alertId: string): Promise<void> {
  const alert = findAlert(ctx, alertId);
  if (alert) ctx.reply(200, present(alert, ctx));
}

async function readJsonObject(ctx: RouteContext): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = JSON.parse(await readBody(ctx.req)) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below, like any other unreadable body.
  }
  ctx.fail(400, 'BadRequest', 'The request body must be a JSON object.');
  return undefined;
}

/** Checks a PATCH body; returns the problem, or undefined when it is acceptable. */
function patchProblem(body: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(body).find((k) => !WRITABLE_FIELDS.has(k));
  if (unknown !== undefined) return `Property '${unknown}' cannot be updated.`;
  const check = (field: string, allowed: readonly string[]) =>
    body[field] !== undefined && !(typeof body[field] === 'string' && allowed.includes(body[field])) ? `Invalid value for '${field}'.` : undefined;
  const determinations = [...WRITABLE_DETERMINATIONS, ...Object.keys(LEGACY_DETERMINATIONS)];
  const assignee = body.assignedTo;
  const assigneeProblem = assignee !== undefined && assignee !== null && typeof assignee !== 'string' ? "Invalid value for 'assignedTo'." : undefined;
  return check('status', WRITABLE_STATUSES) ?? check('classification', WRITABLE_CLASSIFICATIONS) ?? check('determination', determinations) ?? assigneeProblem;
}

async function updateAlert(ctx: RouteContext, _url: URL, alertId: string): Promise<void> {
  const body = await readJsonObject(ctx);
  if (!body) return;
  const alert = findAlert(ctx, alertId);
  if (!alert) return;
  const problem = patchProblem(body);
  if (problem) return ctx.fail(400, 'BadRequest', problem);
  const now = ctx.clock.now().toISOString();
  const updated: Alert = { ...alert, lastUpdateDateTime: now };
  if (typeof body.status === 'string') {
    updated.status = body.status;
    updated.resolvedDateTime = body.status === 'resolved' ? (alert.status === 'resolved' ? alert.resolvedDateTime : now) : null;
  }
  if (typeof body.classification === 'string') updated.classification = body.classification;
  if (typeof body.determination === 'string') updated.determination = currentDeterminationName(body.determination);
  if (body.assignedTo !== undefined) updated.assignedTo = body.assignedTo as string | null;
  ctx.tenant?.put(updated);
  ctx.reply(200, present(updated, ctx));
}

async function addComment(ctx: RouteContext, _url: URL, alertId: string): Promise<void> {
  const body = await readJsonObject(ctx);
  if (!body) return;
  const alert = findAlert(ctx, alertId);
  if (!alert) return;
  const type = body['@odata.type'];
  if (type !== undefined && type !== 'microsoft.graph.security.alertComment' && type !== '#microsoft.graph.security.alertComment') {
    return ctx.fail(400, 'BadRequest', "'@odata.type' must be microsoft.graph.security.alertComment.");
  }
  if (typeof body.comment !== 'string' || body.comment.trim() === '') return ctx.fail(400, 'BadRequest', "'comment' must be a non-empty string.");
  const now = ctx.clock.now().toISOString();
  // App-only calls carry no user, so Graph credits the application.
  const comments = [...alert.comments, { comment: body.comment, createdByDisplayName: ctx.claims?.appid ?? 'Application', createdDateTime: now }];
  ctx.tenant?.put({ ...alert, comments, lastUpdateDateTime: now });
  ctx.reply(200, { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)`, value: comments });
}
