import { CLASSIFICATIONS, LEGACY_DETERMINATIONS, SEVERITIES, WRITABLE_CLASSIFICATIONS, WRITABLE_DETERMINATIONS, baseMembers, currentDeterminationName, type Alert } from '../defender/alert.js';
import { INCIDENT_STATUSES, WRITABLE_INCIDENT_STATUSES } from '../defender/incident.js';
import { presentAlert } from './graph-security-routes.js';
import { commentText, hideEvolvable, readJsonObject, readListOptions, replyPage, requireRole, type EvolvableEnums, type RouteContext } from './graph-route-kit.js';
import { presentIncident, sortedAlerts, type IncidentPatch, type IncidentView } from './incident-book.js';
import { ALERT_FILTER, INCIDENT_FILTER } from './odata-filter.js';

const READ_ROLES = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];
const WRITE_ROLES = ['SecurityIncident.ReadWrite.All'];
const WRITABLE_FIELDS = new Set(['status', 'classification', 'determination', 'assignedTo', 'customTags']);

const EVOLVABLE: EvolvableEnums = [
  ['severity', new Set(baseMembers(SEVERITIES))],
  ['status', new Set(baseMembers(INCIDENT_STATUSES))],
  ['classification', new Set(baseMembers(CLASSIFICATIONS))],
];

/** The portal address Graph gives an incident, with the tenant in `?tid=`. */
export function incidentWebUrl(incidentId: string, tenantId: string): string {
  return `https://security.microsoft.com/incidents/${encodeURIComponent(incidentId)}?tid=${tenantId}`;
}

type Route = (ctx: RouteContext, url: URL, incidentId: string) => Promise<void>;

/** Routes a request under /v1.0/security/incidents (the caller has authenticated it). */
export async function handleIncidentRoute(ctx: RouteContext): Promise<void> {
  const url = new URL(ctx.req.url ?? '/', ctx.baseUrl);
  const match = /^\/v1\.0\/security\/incidents(?:\/([^/]+)(?:\/(alerts|comments))?)?\/?$/.exec(url.pathname);
  if (!match) return ctx.fail(404, 'NotFound', `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`);
  const incidentId = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  const method = ctx.req.method ?? 'GET';
  const reads: Route | undefined =
    incidentId === undefined ? (method === 'GET' ? listIncidents : undefined)
    : match[2] === 'alerts' ? (method === 'GET' ? listIncidentAlerts : undefined)
    : match[2] === undefined && method === 'GET' ? getIncident
    : undefined;
  const writes: Route | undefined = incidentId !== undefined && ((match[2] === 'comments' && method === 'POST') || (match[2] === undefined && method === 'PATCH')) ? (method === 'POST' ? addComment : updateIncident) : undefined;
  const route = reads ?? writes;
  if (!route) return ctx.fail(405, 'Request_BadRequest', `The HTTP method '${method}' is not allowed here.`);
  if (!requireRole(ctx, reads ? READ_ROLES : WRITE_ROLES)) return;
  await route(ctx, url, incidentId ?? '');
}

/** The incident as Graph serves it to this caller, with its alerts when `$expand=alerts` asked for them. */
function present(ctx: RouteContext, view: IncidentView, expandAlerts: boolean): Record<string, unknown> {
  const tenantId = ctx.claims?.tid ?? '';
  const body = hideEvolvable(ctx, { '@odata.type': '#microsoft.graph.security.incident', ...presentIncident(view, tenantId, incidentWebUrl(view.record.id, tenantId)) }, EVOLVABLE);
  if (expandAlerts) body.alerts = sortedAlerts(view.alerts).map((a) => presentAlert(a, ctx));
  return body;
}

async function listIncidents(ctx: RouteContext, url: URL): Promise<void> {
  const options = readListOptions<Record<string, unknown>>(ctx, url, INCIDENT_FILTER, ['alerts']);
  if (!options) return;
  // Filters see every member, whatever the caller's Prefer header.
  const views = (ctx.tenant?.incidents.filterable() ?? []).filter(({ fields }) => options.predicate(fields)).map(({ view }) => view);
  replyPage(ctx, url, options, views, (view) => present(ctx, view, options.expand === 'alerts'), 'security/incidents');
}

function findIncident(ctx: RouteContext, incidentId: string): IncidentView | undefined {
  const view = ctx.tenant?.incidents.view(incidentId);
  if (!view) ctx.fail(404, 'NotFound', `Incident ${incidentId} was not found.`);
  return view;
}

async function getIncident(ctx: RouteContext, url: URL, incidentId: string): Promise<void> {
  const expand = url.searchParams.get('$expand');
  const unsupported = [...url.searchParams.keys()].find((k) => k.startsWith('$') && k !== '$expand');
  if (unsupported || (expand !== null && expand !== 'alerts')) return ctx.fail(400, 'BadRequest', `Invalid request: ${unsupported ? `query option '${unsupported}' is not supported` : '$expand must be alerts'}.`);
  const view = findIncident(ctx, incidentId);
  if (view) ctx.reply(200, present(ctx, view, expand === 'alerts'));
}

async function listIncidentAlerts(ctx: RouteContext, url: URL, incidentId: string): Promise<void> {
  const options = readListOptions<Alert>(ctx, url, ALERT_FILTER);
  if (!options) return;
  const view = findIncident(ctx, incidentId);
  if (view) replyPage(ctx, url, options, view.alerts.filter(options.predicate), (a) => presentAlert(a, ctx), 'security/alerts_v2');
}

/** Checks a PATCH body and turns it into a patch; answers 400 and returns undefined when it is not acceptable. */
function patchOf(ctx: RouteContext, body: Record<string, unknown>): IncidentPatch | undefined {
  const unknown = Object.keys(body).find((k) => !WRITABLE_FIELDS.has(k));
  const enumProblem = (field: string, allowed: readonly string[]) => body[field] !== undefined && !(typeof body[field] === 'string' && allowed.includes(body[field]));
  const determinations = [...WRITABLE_DETERMINATIONS, ...Object.keys(LEGACY_DETERMINATIONS)];
  const tags = body.customTags;
  const problem =
    unknown !== undefined ? `Property '${unknown}' cannot be updated.`
    : enumProblem('status', WRITABLE_INCIDENT_STATUSES) ? "Invalid value for 'status'."
    : enumProblem('classification', WRITABLE_CLASSIFICATIONS) ? "Invalid value for 'classification'."
    : enumProblem('determination', determinations) ? "Invalid value for 'determination'."
    : body.assignedTo !== undefined && body.assignedTo !== null && typeof body.assignedTo !== 'string' ? "Invalid value for 'assignedTo'."
    : tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string')) ? "Invalid value for 'customTags'."
    : undefined;
  if (problem) {
    ctx.fail(400, 'BadRequest', problem);
    return undefined;
  }
  return {
    ...(typeof body.status === 'string' ? { status: body.status } : {}),
    ...(body.assignedTo !== undefined ? { assignedTo: body.assignedTo as string | null } : {}),
    ...(typeof body.classification === 'string' ? { classification: body.classification } : {}),
    ...(typeof body.determination === 'string' ? { determination: currentDeterminationName(body.determination) } : {}),
    ...(Array.isArray(tags) ? { customTags: tags as string[] } : {}),
  };
}

async function updateIncident(ctx: RouteContext, _url: URL, incidentId: string): Promise<void> {
  const body = await readJsonObject(ctx);
  if (!body) return;
  const view = findIncident(ctx, incidentId);
  if (!view) return;
  const patch = patchOf(ctx, body);
  if (!patch) return;
  if (view.record.status === 'redirected') {
    return ctx.fail(400, 'BadRequest', `Incident ${incidentId} was merged into incident ${view.record.redirectIncidentId ?? ''} and cannot be updated.`);
  }
  ctx.tenant?.incidents.update(incidentId, patch, ctx.clock.now().toISOString());
  ctx.tenant?.changed();
  const updated = ctx.tenant?.incidents.view(incidentId);
  if (updated) ctx.reply(200, present(ctx, updated, false));
}

async function addComment(ctx: RouteContext, _url: URL, incidentId: string): Promise<void> {
  const body = await readJsonObject(ctx);
  if (!body) return;
  const view = findIncident(ctx, incidentId);
  if (!view) return;
  const text = commentText(ctx, body);
  if (text === undefined) return;
  // App-only calls carry no user, so Graph credits the application.
  const comments = ctx.tenant?.incidents.comment(incidentId, { comment: text, createdByDisplayName: ctx.claims?.appid ?? 'Application', createdDateTime: ctx.clock.now().toISOString() }) ?? [];
  ctx.tenant?.changed();
  ctx.reply(200, { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)`, value: structuredClone(comments) });
}
