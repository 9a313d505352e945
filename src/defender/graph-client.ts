import { z } from 'zod/v4';
import { UsageError } from '../errors.js';
import {
  AlertCommentListResponseSchema,
  AlertListResponseSchema,
  AlertSchema,
  LEGACY_DETERMINATIONS,
  WRITABLE_CLASSIFICATIONS,
  WRITABLE_DETERMINATIONS,
  WRITABLE_STATUSES,
  currentDeterminationName,
  type Alert,
  type AlertComment,
} from './alert.js';
import { AlertFactsListResponseSchema, type AlertFacts } from './alert-facts.js';
import { buildAlertQueryString, type AlertQuery } from './alert-query.js';
import type { GraphOperation } from './graph-errors.js';
import { GraphTransport, type GraphSecurityClientOptions } from './graph-transport.js';
import {
  INCIDENT_ID_PATTERN,
  IncidentAlertsResponseSchema,
  IncidentCommentListResponseSchema,
  IncidentListResponseSchema,
  IncidentSchema,
  WRITABLE_INCIDENT_STATUSES,
  type Incident,
} from './incident.js';
import { buildIncidentQueryString, type IncidentQuery } from './incident-query.js';

export type { GraphAttemptOutcome, GraphRequestObserver, GraphSecurityClientOptions, GraphTokenSource } from './graph-transport.js';

/** One page of alerts; `nextLink` is present while more pages remain. */
export interface AlertPage {
  alerts: Alert[];
  nextLink?: string;
  count?: number;
}

/** Current determination names, and the old ones accepted from callers for convenience. */
const determinationSchema = z.enum([...WRITABLE_DETERMINATIONS, ...(Object.keys(LEGACY_DETERMINATIONS) as (keyof typeof LEGACY_DETERMINATIONS)[])]);

const AlertUpdateSchema = z
  .strictObject({
    status: z.enum(WRITABLE_STATUSES).optional(),
    classification: z.enum(WRITABLE_CLASSIFICATIONS).optional(),
    determination: determinationSchema.optional(),
    assignedTo: z.string().min(1).max(320).nullable().optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), 'nothing to change');

/** The four properties an alert update may change. */
export type AlertUpdate = z.input<typeof AlertUpdateSchema>;

/** One page of incidents; `nextLink` is present while more pages remain. */
export interface IncidentPage {
  incidents: Incident[];
  nextLink?: string;
}

const IncidentUpdateSchema = z
  .strictObject({
    status: z.enum(WRITABLE_INCIDENT_STATUSES).optional(),
    classification: z.enum(WRITABLE_CLASSIFICATIONS).optional(),
    determination: determinationSchema.optional(),
    assignedTo: z.string().min(1).max(320).nullable().optional(),
    customTags: z.array(z.string().min(1).max(100)).max(50).optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), 'nothing to change');

/** The five properties an incident update may change. */
export type IncidentUpdate = z.input<typeof IncidentUpdateSchema>;

const INCIDENTS_PATH = '/v1.0/security/incidents';

const ALERTS_PATH = '/v1.0/security/alerts_v2';

/**
 * Microsoft Graph security `alerts_v2` and `incidents` for many customer tenants, through one
 * transport: both APIs share each tenant's 150/min budget, retries and typed errors.
 */
export class GraphSecurityClient {
  private readonly transport: GraphTransport;

  constructor(options: GraphSecurityClientOptions) {
    this.transport = new GraphTransport(options);
  }

  private get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** The first page of alerts matching `query`, newest first. */
  async listAlerts(tenantId: string, query: AlertQuery = {}, { pageSize }: { pageSize?: number } = {}): Promise<AlertPage> {
    const qs = buildAlertQueryString(query, pageSize);
    return this.fetchPage(tenantId, `${this.baseUrl}${ALERTS_PATH}${qs ? `?${qs}` : ''}`);
  }

  /** The page an earlier page's `nextLink` points to (followed verbatim). */
  async nextAlertPage(tenantId: string, nextLink: string): Promise<AlertPage> {
    return this.fetchPage(tenantId, nextLink);
  }

  /** Every page in turn, following `@odata.nextLink` until it is absent or `maxPages` were read. */
  async *iterateAlertPages(
    tenantId: string,
    query: AlertQuery = {},
    { pageSize, maxPages = Infinity }: { pageSize?: number; maxPages?: number } = {},
  ): AsyncGenerator<AlertPage> {
    let page = await this.listAlerts(tenantId, query, { pageSize });
    for (let read = 1; ; read++) {
      yield page;
      if (page.nextLink === undefined || read >= maxPages) return;
      page = await this.nextAlertPage(tenantId, page.nextLink);
    }
  }

  /**
   * Like iterateAlertPages, but each alert is read as AlertFacts (what statistics count), which
   * costs a fraction of checking whole alerts.
   */
  async *iterateAlertFactPages(tenantId: string, query: AlertQuery, { pageSize, maxPages = Infinity }: { pageSize?: number; maxPages?: number } = {}): AsyncGenerator<{ alerts: AlertFacts[]; nextLink?: string }> {
    const op: GraphOperation = { access: 'read', name: 'list alerts' };
    const qs = buildAlertQueryString(query, pageSize);
    let url: string | undefined = `${this.baseUrl}${ALERTS_PATH}${qs ? `?${qs}` : ''}`;
    for (let read = 0; url !== undefined && read < maxPages; read++) {
      const body: z.output<typeof AlertFactsListResponseSchema> = await this.transport.listPage(tenantId, op, url, ALERTS_PATH, AlertFactsListResponseSchema);
      url = body['@odata.nextLink'] ?? undefined;
      yield { alerts: body.value, ...(url === undefined ? {} : { nextLink: url }) };
    }
  }

  /** One alert; NotFoundError when the tenant has no alert with that id. */
  async getAlert(tenantId: string, alertId: string): Promise<Alert> {
    const op: GraphOperation = { access: 'read', name: 'read the alert', alertId };
    return this.transport.send(tenantId, op, { method: 'GET', url: this.alertUrl(alertId) }, AlertSchema);
  }

  /** Changes status, classification, determination and/or owner; returns the updated alert. */
  async updateAlert(tenantId: string, alertId: string, patch: AlertUpdate): Promise<Alert> {
    const parsed = AlertUpdateSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`Invalid alert update (${issue?.path.join('.') || 'update'}): ${issue?.message ?? 'not allowed'}.`);
    }
    const { determination, ...rest } = parsed.data;
    // Send only the current determination names; the old ones are accepted from callers for convenience.
    const body = determination === undefined ? rest : { ...rest, determination: currentDeterminationName(determination) };
    const op: GraphOperation = { access: 'write', name: 'update the alert', alertId };
    return this.transport.send(tenantId, op, { method: 'PATCH', url: this.alertUrl(alertId), body }, AlertSchema);
  }

  /** Adds a comment; returns every comment on the alert, oldest first. */
  async addComment(tenantId: string, alertId: string, text: string): Promise<AlertComment[]> {
    if (text.trim() === '') throw new UsageError('A comment needs some text.');
    const op: GraphOperation = { access: 'write', name: 'comment on the alert', alertId };
    const body = { '@odata.type': 'microsoft.graph.security.alertComment', comment: text };
    const url = `${this.alertUrl(alertId)}/comments`;
    const result = await this.transport.send(tenantId, op, { method: 'POST', url, body }, AlertCommentListResponseSchema);
    return result.value;
  }

  /** The first page of incidents matching `query` (Graph serves the most recently created first). */
  async listIncidents(tenantId: string, query: IncidentQuery = {}, { pageSize }: { pageSize?: number } = {}): Promise<IncidentPage> {
    const qs = buildIncidentQueryString(query, pageSize);
    return this.incidentPage(tenantId, `${this.baseUrl}${INCIDENTS_PATH}${qs ? `?${qs}` : ''}`);
  }

  /** The page an earlier incident page's `nextLink` points to (followed verbatim). */
  async nextIncidentPage(tenantId: string, nextLink: string): Promise<IncidentPage> {
    return this.incidentPage(tenantId, nextLink);
  }

  /** One incident with its alerts (`$expand=alerts`); NotFoundError when the tenant has no incident with that id. */
  async getIncident(tenantId: string, incidentId: string): Promise<Incident> {
    const op: GraphOperation = { access: 'read', resource: 'incidents', name: 'read the incident', incidentId };
    return this.transport.send(tenantId, op, { method: 'GET', url: `${this.incidentUrl(incidentId)}?$expand=alerts` }, IncidentSchema);
  }

  /** Every alert of an incident, following `@odata.nextLink` (for incidents too large to expand in one answer). */
  async listIncidentAlerts(tenantId: string, incidentId: string): Promise<Alert[]> {
    const op: GraphOperation = { access: 'read', resource: 'incidents', name: "list the incident's alerts", incidentId };
    const path = `${INCIDENTS_PATH}/${encodeURIComponent(incidentId)}/alerts`;
    const alerts: Alert[] = [];
    for (let url: string | null | undefined = `${this.incidentUrl(incidentId)}/alerts`; url; ) {
      const page: z.infer<typeof IncidentAlertsResponseSchema> = await this.transport.listPage(tenantId, op, url, path, IncidentAlertsResponseSchema);
      alerts.push(...page.value);
      url = page['@odata.nextLink'];
    }
    return alerts;
  }

  /** Changes owner, status, classification, determination and/or custom tags; returns the updated incident (without alerts). */
  async updateIncident(tenantId: string, incidentId: string, patch: IncidentUpdate): Promise<Incident> {
    const parsed = IncidentUpdateSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`Invalid incident update (${issue?.path.join('.') || 'update'}): ${issue?.message ?? 'not allowed'}.`);
    }
    const { determination, ...rest } = parsed.data;
    const body = determination === undefined ? rest : { ...rest, determination: currentDeterminationName(determination) };
    const op: GraphOperation = { access: 'write', resource: 'incidents', name: 'update the incident', incidentId };
    return this.transport.send(tenantId, op, { method: 'PATCH', url: this.incidentUrl(incidentId), body }, IncidentSchema);
  }

  /** Adds a comment to an incident; returns every comment on it, oldest first. */
  async addIncidentComment(tenantId: string, incidentId: string, text: string): Promise<AlertComment[]> {
    if (text.trim() === '') throw new UsageError('A comment needs some text.');
    const op: GraphOperation = { access: 'write', resource: 'incidents', name: 'comment on the incident', incidentId };
    const body = { '@odata.type': 'microsoft.graph.security.alertComment', comment: text };
    const result = await this.transport.send(tenantId, op, { method: 'POST', url: `${this.incidentUrl(incidentId)}/comments`, body }, IncidentCommentListResponseSchema);
    return result.value;
  }

  /**
   * The application permissions the tenant's current token carries (undefined when the token
   * source cannot tell): incidents need permissions that customers consented before them lack.
   */
  async grantedRoles(tenantId: string): Promise<readonly string[] | undefined> {
    return this.transport.grantedRoles(tenantId);
  }

  /** How many more requests the tenant's budget would admit right now. */
  rateHeadroom(tenantId: string): Promise<number> {
    return this.transport.rateHeadroom(tenantId);
  }

  private incidentUrl(incidentId: string): string {
    if (!INCIDENT_ID_PATTERN.test(incidentId)) throw new UsageError('An incident id is a number such as 2972395 (letters, digits and . _ : - in ids of other sources), at most 128 characters.');
    return `${this.baseUrl}${INCIDENTS_PATH}/${encodeURIComponent(incidentId)}`;
  }

  private async incidentPage(tenantId: string, url: string): Promise<IncidentPage> {
    const op: GraphOperation = { access: 'read', resource: 'incidents', name: 'list incidents' };
    const body = await this.transport.listPage(tenantId, op, url, INCIDENTS_PATH, IncidentListResponseSchema);
    const nextLink = body['@odata.nextLink'] ?? undefined;
    return nextLink === undefined ? { incidents: body.value } : { incidents: body.value, nextLink };
  }

  private alertUrl(alertId: string): string {
    if (alertId.trim() === '' || alertId.length > 200) throw new UsageError('An alert id must be 1 to 200 characters long.');
    return `${this.baseUrl}${ALERTS_PATH}/${encodeURIComponent(alertId)}`;
  }

  private async fetchPage(tenantId: string, url: string): Promise<AlertPage> {
    const op: GraphOperation = { access: 'read', name: 'list alerts' };
    const body = await this.transport.listPage(tenantId, op, url, ALERTS_PATH, AlertListResponseSchema);
    const nextLink = body['@odata.nextLink'] ?? undefined;
    const page: AlertPage = { alerts: body.value };
    if (nextLink !== undefined) page.nextLink = nextLink;
    if (body['@odata.count'] !== undefined) page.count = body['@odata.count'];
    return page;
  }
}
