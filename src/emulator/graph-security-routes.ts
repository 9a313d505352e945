import {
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS_ACCEPTED_ON_READ,
  LEGACY_DETERMINATIONS,
  SERVICE_SOURCES,
  SEVERITIES,
  STATUSES,
  WRITABLE_CLASSIFICATIONS,
  WRITABLE_DETERMINATIONS,
  WRITABLE_STATUSES,
  baseMembers,
  currentDeterminationName,
  type Alert,
} from '../defender/alert.js';
import { commentText, hideEvolvable, readJsonObject, readListOptions, replyPage, requireRole, type EvolvableEnums, type RouteContext } from './graph-route-kit.js';
import { ALERT_FILTER } from './odata-filter.js';

export type { RouteContext } from './graph-route-kit.js';

const READ_ROLES = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];
const WRITE_ROLES = ['SecurityAlert.ReadWrite.All'];
const WRITABLE_FIELDS = new Set(['status', 'classification', 'determination', 'assignedTo']);

/** Enum properties and the members Graph sends without the Prefer header. */
const EVOLVABLE: EvolvableEnums = [
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
  if (!requireRole(ctx, route === listAlerts || route === getAlert ? READ_ROLES : WRITE_ROLES)) return;
  await route(ctx, url, alertId ?? '');
}

/** The alert as Graph serves it to this caller. */
export function presentAlert(alert: Alert, ctx: RouteContext): Alert {
  // A shallow copy is enough: the answer is serialized at once and only top-level enums change.
  return hideEvolvable(ctx, { '@odata.type': '#microsoft.graph.security.alert', ...alert }, EVOLVABLE) as Alert;
}

async function listAlerts(ctx: RouteContext, url: URL): Promise<void> {
  const options = readListOptions<Alert>(ctx, url, ALERT_FILTER);
  if (!options) return;
  const matching = (ctx.tenant?.sortedAlerts() ?? []).filter(options.predicate);
  replyPage(ctx, url, options, matching, (a) => presentAlert(a, ctx), 'security/alerts_v2');
}

function findAlert(ctx: RouteContext, alertId: string): Alert | undefined {
  const alert = ctx.tenant?.alerts.get(alertId);
  if (!alert) ctx.fail(404, 'NotFound', `Alert ${alertId} was not found.`);
  return alert;
}

async function getAlert(ctx: RouteContext, _url: URL, alertId: string): Promise<void> {
  const alert = findAlert(ctx, alertId);
  if (alert) ctx.reply(200, presentAlert(alert, ctx));
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
  ctx.reply(200, presentAlert(updated, ctx));
}

async function addComment(ctx: RouteContext, _url: URL, alertId: string): Promise<void> {
  const body = await readJsonObject(ctx);
  if (!body) return;
  const alert = findAlert(ctx, alertId);
  if (!alert) return;
  const text = commentText(ctx, body);
  if (text === undefined) return;
  const now = ctx.clock.now().toISOString();
  // App-only calls carry no user, so Graph credits the application.
  const comments = [...alert.comments, { comment: text, createdByDisplayName: ctx.claims?.appid ?? 'Application', createdDateTime: now }];
  ctx.tenant?.put({ ...alert, comments, lastUpdateDateTime: now });
  ctx.reply(200, { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)`, value: comments });
}
