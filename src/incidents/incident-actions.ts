import type { z } from 'zod/v4';
import { classificationLabel, determinationLabel, utc } from '../alerts/alert-views.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AlertState } from '../audit/audit-schema.js';
import type { CardColor } from '../cards/elements.js';
import { describeFailure } from '../chat/failure.js';
import { cardReply, notice, type Reply } from '../chat/reply.js';
import type { CardOrigin } from '../chat/outcome.js';
import type { Clock } from '../clock.js';
import { INCIDENT_WRITE_ROLE } from '../defender/graph-permissions.js';
import type { GraphSecurityClient, IncidentUpdate } from '../defender/graph-client.js';
import type { Incident } from '../defender/incident.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { IncidentClassifyPayload, IncidentCommentPayload, IncidentMoreRequest, IncidentRef, IncidentStatusPayload, IncidentTagsPayload } from './action-payloads.js';
import type { IncidentService } from './incident-service.js';
import { incidentDetailCard, incidentListCard, incidentStatusLabel } from './incident-views.js';

/** A change an analyst asks for from an incident card, with the card's (validated) data. */
export type IncidentChange =
  | { readonly verb: 'incident.assign'; readonly payload: IncidentRef }
  | { readonly verb: 'incident.status'; readonly payload: z.infer<typeof IncidentStatusPayload> }
  | { readonly verb: 'incident.classify'; readonly payload: z.infer<typeof IncidentClassifyPayload> }
  | { readonly verb: 'incident.comment'; readonly payload: z.infer<typeof IncidentCommentPayload> }
  | { readonly verb: 'incident.tags'; readonly payload: z.infer<typeof IncidentTagsPayload> };

const ACTION_NAMES: Readonly<Record<IncidentChange['verb'], string>> = {
  'incident.assign': 'assign',
  'incident.status': 'set status',
  'incident.classify': 'classify',
  'incident.comment': 'comment',
  'incident.tags': 'set tags',
};

type Notices = { color: CardColor; text: string }[];

/** Handles clicks on incident cards: open, page, refresh, and the changes analysts make. */
export class IncidentActions {
  constructor(
    private readonly deps: {
      graph: GraphSecurityClient;
      incidents: IncidentService;
      tenants: TenantRegistry;
      audit: AuditLog;
      clock: Clock;
      logger: Logger;
      /** Told of every change made here, so the incident cards delivery posted follow it. */
      changes?: { incidentChanged(tenant: TenantRecord, incident: Incident, writable: boolean, origin?: CardOrigin): void };
    },
  ) {}

  /** The incident's card, with optional notices above it. */
  async detail(ref: IncidentRef, actor: Actor, notices: Notices = []): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(ref.tenantId, actor);
    const incident = await this.deps.incidents.get(tenant, ref.incidentId);
    return this.detailReply(tenant, incident, notices);
  }

  /** The card again with the incident's current state; if Defender no longer has it, the card stays and the clicker is told why. */
  async refresh(ref: IncidentRef, actor: Actor): Promise<Reply> {
    try {
      return await this.detail(ref, actor);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return { kind: 'text', text: `${error.userMessage} This card keeps what it showed last.` };
    }
  }

  /** The incident card for this tenant: buttons only where analysts may change it, and why not otherwise. */
  async detailReply(tenant: TenantRecord, incident: Incident, notices: Notices = []): Promise<Reply> {
    const access = await this.deps.incidents.access(tenant);
    const missing: Notices = access.missingWrite
      ? [{ color: 'warning', text: `${tenant.displayName} consented before SOC Bridge changed incidents: ${INCIDENT_WRITE_ROLE} is not granted, so this card has no buttons to change the incident. An administrator of ${tenant.displayName} consents again to add it ("consent ${tenant.handle}").` }]
      : [];
    const data = incidentDetailCard(tenant, incident, { writable: access.write, notices: [...notices, ...missing] });
    return cardReply('incident-detail', data, `${incident.severity} incident ${incident.id}: ${incident.displayName}`);
  }

  /** The next page of an incident list. */
  async more(request: IncidentMoreRequest, actor: Actor): Promise<Reply> {
    const all = request.tenant === 'all';
    const targets = all ? this.deps.tenants.connected() : [this.deps.tenants.resolve(request.tenant, actor)];
    const listing = await this.deps.incidents.list({ tenants: targets, filter: request.filter, top: request.top, cursor: request.cursor, actor });
    const only = targets[0];
    return cardReply(
      'incident-list',
      incidentListCard({ scope: all ? `all customers (${targets.length})` : (only?.displayName ?? request.tenant), tenantArg: request.tenant, filter: request.filter, top: request.top, listing, showCustomer: all, page: request.page }),
      `${listing.items.length} more incidents`,
    );
  }

  /**
   * Makes the change in Defender unless the incident changed since the card was shown, audits the
   * attempt whatever its outcome, and answers with the incident's card as it now is. `origin` is the
   * card clicked: it shows the answer, so delivery does not redraw it.
   */
  async change(change: IncidentChange, actor: Actor, origin?: CardOrigin): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(change.payload.tenantId, actor);
    if (!tenant.writeAccess) {
      return notice({ tone: 'warning', title: 'Read-only customer', text: `${tenant.displayName} granted SOC Bridge read access only, so incidents cannot be changed from Teams. Use the Defender portal.` });
    }
    const current = await this.deps.incidents.get(tenant, change.payload.incidentId);
    const before = stateOf(current);
    if (!(await this.deps.incidents.access(tenant)).write) {
      await this.record(tenant, current, actor, change, before, before, 'refused', `${INCIDENT_WRITE_ROLE} not granted`);
      return this.detailReply(tenant, current, [{ color: 'attention', text: `Nothing was changed: ${tenant.displayName} has not granted ${INCIDENT_WRITE_ROLE}.` }]);
    }
    if (current.status === 'redirected') {
      await this.record(tenant, current, actor, change, before, before, 'refused', 'the incident was merged into another');
      return this.detailReply(tenant, current, [{ color: 'warning', text: `Nothing was changed: this incident was merged into incident ${current.redirectIncidentId ?? ''}. Open that one to ${ACTION_NAMES[change.verb]}.` }]);
    }
    const stale = change.payload.version !== undefined && change.payload.version !== current.lastUpdateDateTime;
    if (stale && change.verb !== 'incident.comment') {
      // The answer shows the current state: the other copies follow it.
      this.deps.changes?.incidentChanged(tenant, current, true, origin);
      await this.record(tenant, current, actor, change, before, before, 'refused', 'the incident had changed since the card was shown');
      return this.detailReply(tenant, current, [{ color: 'warning', text: `This incident changed at ${utc(current.lastUpdateDateTime)}, after your card was shown, so nothing was changed. Here is its current state; click again if you still want to ${ACTION_NAMES[change.verb]}.` }]);
    }
    if (change.verb === 'incident.assign' && current.assignedTo && current.assignedTo.toLowerCase() === ownerName(actor).toLowerCase()) {
      return this.detailReply(tenant, current, [{ color: 'default', text: 'This incident is already assigned to you; nothing was changed.' }]);
    }
    try {
      const updated = await this.perform(tenant, current, change, actor);
      const after = { ...stateOf(updated), ...(change.verb === 'incident.comment' ? { comment: change.payload.comment } : {}) };
      await this.record(tenant, updated, actor, change, before, after, 'done');
      this.deps.changes?.incidentChanged(tenant, updated, true, origin);
      return this.detailReply(tenant, updated, [{ color: 'good', text: `${describeChange(change).done} by ${actor.displayName} at ${utc(this.deps.clock.now().toISOString())}.` }]);
    } catch (error) {
      const message = describeFailure(error, this.deps.logger, 'incident.change', { tenant: tenant.handle, incidentId: current.id });
      await this.deps.incidents.failed(tenant, error);
      await this.record(tenant, current, actor, change, before, before, 'failed', message);
      return this.detailReply(tenant, current, [{ color: 'attention', text: `Could not ${ACTION_NAMES[change.verb]}: ${message}` }]);
    }
  }

  /** Sends the change; answers with the incident as it now is, alerts included. */
  private async perform(tenant: TenantRecord, current: Incident, change: IncidentChange, actor: Actor): Promise<Incident> {
    const { graph } = this.deps;
    if (change.verb === 'incident.comment') {
      // App-only calls carry no analyst identity, so the comment names who wrote it.
      await graph.addIncidentComment(tenant.tenantId, current.id, `${actor.displayName} (via SOC Bridge): ${change.payload.comment}`);
    } else {
      const patch: IncidentUpdate =
        change.verb === 'incident.assign' ? { assignedTo: ownerName(actor) }
        : change.verb === 'incident.status' ? { status: change.payload.status, ...(change.payload.status !== 'active' && !current.assignedTo ? { assignedTo: ownerName(actor) } : {}) }
        : change.verb === 'incident.tags' ? { customTags: change.payload.tags }
        : { classification: change.payload.classification as IncidentUpdate['classification'], determination: change.payload.determination as IncidentUpdate['determination'] };
      await graph.updateIncident(tenant.tenantId, current.id, patch);
    }
    return graph.getIncident(tenant.tenantId, current.id);
  }

  private async record(tenant: TenantRecord, incident: Incident, actor: Actor, change: IncidentChange, before: AlertState, after: AlertState, outcome: 'done' | 'failed' | 'refused', detail?: string): Promise<void> {
    await this.deps.audit.append({
      actorId: actor.userId ?? 'unknown',
      actorName: actor.displayName,
      tenantId: tenant.tenantId,
      tenantHandle: tenant.handle,
      subject: 'incident',
      alertId: incident.id,
      alertTitle: incident.displayName.slice(0, 200),
      action: ACTION_NAMES[change.verb],
      before,
      after,
      outcome,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
    });
    this.deps.logger.info({ event: 'incident.changed', action: change.verb, outcome, tenant: tenant.handle, incidentId: incident.id, userId: actor.userId }, 'incident action');
  }
}

/** What Defender's `assignedTo` holds for an analyst: their email (UPN), else their name. */
function ownerName(actor: Actor): string {
  return actor.email ?? actor.displayName;
}

function stateOf(incident: Incident): AlertState {
  return {
    status: incident.status,
    assignedTo: incident.assignedTo ?? null,
    ...(incident.classification ? { classification: incident.classification } : {}),
    ...(incident.determination ? { determination: incident.determination } : {}),
    customTags: [...incident.customTags],
  };
}

/** What the card says while a change is on its way to Defender. */
export function pendingIncidentChangeText(change: IncidentChange): string {
  return `${describeChange(change).pending} on incident ${change.payload.incidentId}. This card updates when Defender confirms.`;
}

function describeChange(change: IncidentChange): { pending: string; done: string } {
  switch (change.verb) {
    case 'incident.assign':
      return { pending: 'Assigning to you', done: 'Assigned' };
    case 'incident.status': {
      const status = incidentStatusLabel(change.payload.status);
      return { pending: `Setting status to ${status}`, done: `Status set to ${status}` };
    }
    case 'incident.classify': {
      const verdict = `${classificationLabel(change.payload.classification)} — ${determinationLabel(change.payload.determination)}`;
      return { pending: `Classifying as ${verdict}`, done: `Classified as ${verdict}` };
    }
    case 'incident.comment':
      return { pending: 'Adding your comment', done: 'Comment added' };
    case 'incident.tags':
      return { pending: 'Saving the tags', done: change.payload.tags.length ? `Tags set to ${change.payload.tags.join(', ')}` : 'Tags removed' };
  }
}
