import type { z } from 'zod/v4';
import type { AuditLog } from '../audit/audit-log.js';
import type { CardColor } from '../cards/elements.js';
import type { Clock } from '../clock.js';
import { describeFailure } from '../chat/failure.js';
import { NotFoundError } from '../errors.js';
import type { CardOrigin } from '../chat/outcome.js';
import { cardReply, notice, type Reply } from '../chat/reply.js';
import type { Alert } from '../defender/alert.js';
import type { AlertUpdate, GraphSecurityClient } from '../defender/graph-client.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { AlertState } from '../audit/audit-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { AlertRef, ClassifyPayload, CommentPayload, MoreRequest, StatusPayload } from './action-payloads.js';
import type { AlertService } from './alert-service.js';
import { alertDetailCard, alertListCard, classificationLabel, determinationLabel, statusLabel, utc } from './alert-views.js';

/** Hears about alerts changed from cards (delivery keeps the other copies current). */
export interface AlertChangeListener {
  alertChanged(tenant: TenantRecord, alert: Alert, origin?: CardOrigin): void;
}

/** A change an analyst asks for from an alert card, with the card's (validated) data. */
export type AlertChange =
  | { readonly verb: 'alert.assign'; readonly payload: AlertRef }
  | { readonly verb: 'alert.status'; readonly payload: z.infer<typeof StatusPayload> }
  | { readonly verb: 'alert.classify'; readonly payload: z.infer<typeof ClassifyPayload> }
  | { readonly verb: 'alert.comment'; readonly payload: z.infer<typeof CommentPayload> };

/** The action each change is recorded under in the audit trail. */
export const ACTION_NAMES: Readonly<Record<AlertChange['verb'], string>> = {
  'alert.assign': 'assign',
  'alert.status': 'set status',
  'alert.classify': 'classify',
  'alert.comment': 'comment',
};

/** Handles clicks on alert cards: open, page, refresh, and the changes analysts make. */
export class AlertActions {
  constructor(
    private readonly deps: {
      graph: GraphSecurityClient;
      alerts: AlertService;
      tenants: TenantRegistry;
      audit: AuditLog;
      clock: Clock;
      logger: Logger;
      /** Told of every change made here, so the other cards the alert became are edited too. */
      changes?: AlertChangeListener;
    },
  ) {}

  /** The alert's detail card, with optional notices above it. */
  async detail(ref: AlertRef, actor: Actor, notices: { color: CardColor; text: string }[] = []): Promise<Reply> {
    const tenant = this.tenantFor(ref.tenantId, actor);
    const alert = await this.deps.alerts.get(tenant, ref.alertId);
    return this.detailReply(tenant, alert, notices);
  }

  /** The card again with the alert's current state; if Defender no longer has the alert, the card stays as it was and the clicker is told why. */
  async refresh(ref: AlertRef, actor: Actor): Promise<Reply> {
    try {
      return await this.detail(ref, actor);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return { kind: 'text', text: `${error.userMessage} This card keeps what it showed last.` };
    }
  }

  private detailReply(tenant: TenantRecord, alert: Alert, notices: { color: CardColor; text: string }[]): Reply {
    return cardReply('alert-detail', alertDetailCard(tenant, alert, { writable: tenant.writeAccess, notices }), `${alert.severity}: ${alert.title}`);
  }

  /** The next page of an alert list. */
  async more(request: MoreRequest, actor: Actor): Promise<Reply> {
    const all = request.tenant === 'all';
    const targets = all ? this.deps.tenants.connected() : [this.deps.tenants.resolve(request.tenant, actor)];
    const listing = await this.deps.alerts.list({ tenants: targets, filter: request.filter, top: request.top, cursor: request.cursor });
    const only = targets[0];
    return cardReply(
      'alert-list',
      alertListCard({ scope: all ? `all customers (${targets.length})` : (only?.displayName ?? request.tenant), tenantArg: request.tenant, filter: request.filter, top: request.top, listing, showCustomer: all, page: request.page }),
      `${listing.items.length} more alerts`,
    );
  }

  /**
   * Makes the change in Defender unless the alert changed since the card was shown, audits the
   * attempt whatever its outcome, and answers with the alert's card as it now is. `origin` is the
   * card clicked (it shows the result already, so delivery does not edit it again).
   */
  async change(change: AlertChange, actor: Actor, origin?: CardOrigin): Promise<Reply> {
    const tenant = this.tenantFor(change.payload.tenantId, actor);
    if (!tenant.writeAccess) {
      return notice({ tone: 'warning', title: 'Read-only customer', text: `${tenant.displayName} granted SOC Bridge read access only, so alerts cannot be changed from Teams. Use the Defender portal.` });
    }
    if (change.verb === 'alert.comment') return this.comment(tenant, change, actor, origin);
    const current = await this.deps.alerts.get(tenant, change.payload.alertId);
    const before = stateOf(current);
    const stale = change.payload.version !== undefined && change.payload.version !== current.lastUpdateDateTime;
    if (stale) {
      this.deps.changes?.alertChanged(tenant, current, origin);
      await this.record(tenant, current, actor, change, before, before, 'refused', 'the alert had changed since the card was shown');
      return this.detailReply(tenant, current, [{ color: 'warning', text: `This alert changed at ${utc(current.lastUpdateDateTime)}, after your card was shown, so nothing was changed. Here is its current state; click again if you still want to ${ACTION_NAMES[change.verb]}.` }]);
    }
    if (change.verb === 'alert.assign' && current.assignedTo && current.assignedTo.toLowerCase() === ownerName(actor).toLowerCase()) {
      return this.detailReply(tenant, current, [{ color: 'default', text: 'This alert is already assigned to you; nothing was changed.' }]);
    }
    try {
      const updated = await this.deps.graph.updateAlert(tenant.tenantId, current.id, patchFor(change, current, actor));
      return await this.done(tenant, updated, actor, change, before, stateOf(updated), origin);
    } catch (error) {
      return this.failed(tenant, current, actor, change, error);
    }
  }

  /**
   * A comment is added whatever version the card showed (it contradicts no newer state), so it
   * needs no read first: post it, then read the alert once, for the card's new version and the
   * audit entry. A comment changes neither status, owner nor classification, so the state read
   * after it is the state it found.
   */
  private async comment(tenant: TenantRecord, change: Extract<AlertChange, { verb: 'alert.comment' }>, actor: Actor, origin?: CardOrigin): Promise<Reply> {
    const { alertId, comment } = change.payload;
    try {
      // App-only calls carry no analyst identity, so the comment names who wrote it.
      await this.deps.graph.addComment(tenant.tenantId, alertId, `${actor.displayName} (via SOC Bridge): ${comment}`);
    } catch (error) {
      // The read says which alert is missing, or gives the card to show beside the failure.
      const current = await this.deps.alerts.get(tenant, alertId).catch((readError: unknown) => {
        throw readError instanceof NotFoundError ? readError : error;
      });
      return this.failed(tenant, current, actor, change, error);
    }
    const updated = await this.deps.alerts.get(tenant, alertId);
    const state = stateOf(updated);
    return this.done(tenant, updated, actor, change, state, { ...state, comment }, origin);
  }

  private async done(tenant: TenantRecord, updated: Alert, actor: Actor, change: AlertChange, before: AlertState, after: AlertState, origin?: CardOrigin): Promise<Reply> {
    this.deps.changes?.alertChanged(tenant, updated, origin);
    await this.record(tenant, updated, actor, change, before, after, 'done');
    return this.detailReply(tenant, updated, [{ color: 'good', text: `${describeChange(change).done} by ${actor.displayName} at ${utc(this.deps.clock.now().toISOString())}.` }]);
  }

  private async failed(tenant: TenantRecord, current: Alert, actor: Actor, change: AlertChange, error: unknown): Promise<Reply> {
    const message = describeFailure(error, this.deps.logger, 'alert.change', { tenant: tenant.handle, alertId: current.id });
    await this.deps.alerts.failed(tenant, error);
    const before = stateOf(current);
    await this.record(tenant, current, actor, change, before, before, 'failed', message);
    return this.detailReply(tenant, current, [{ color: 'attention', text: `Could not ${ACTION_NAMES[change.verb]}: ${message}` }]);
  }

  private async record(tenant: TenantRecord, alert: Alert, actor: Actor, change: AlertChange, before: AlertState, after: AlertState, outcome: 'done' | 'failed' | 'refused', detail?: string): Promise<void> {
    await this.deps.audit.append({
      actorId: actor.userId ?? 'unknown',
      actorName: actor.displayName,
      tenantId: tenant.tenantId,
      tenantHandle: tenant.handle,
      alertId: alert.id,
      alertTitle: alert.title.slice(0, 200),
      action: ACTION_NAMES[change.verb],
      before,
      after,
      outcome,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
    });
    this.deps.logger.info({ event: 'alert.changed', action: change.verb, outcome, tenant: tenant.handle, alertId: alert.id, userId: actor.userId }, 'alert action');
  }

  private tenantFor(tenantId: string, actor: Actor): TenantRecord {
    return this.deps.tenants.resolve(tenantId, actor);
  }
}

/** What Defender's `assignedTo` holds for an analyst: their email (UPN), else their name. */
function ownerName(actor: Actor): string {
  return actor.email ?? actor.displayName;
}

/** What Defender is asked to change for a verb other than comment. */
function patchFor(change: Exclude<AlertChange, { verb: 'alert.comment' }>, current: Alert, actor: Actor): AlertUpdate {
  if (change.verb === 'alert.assign') return { assignedTo: ownerName(actor) };
  if (change.verb === 'alert.status') return { status: change.payload.status, ...(change.payload.status !== 'new' && !current.assignedTo ? { assignedTo: ownerName(actor) } : {}) };
  return { classification: change.payload.classification as AlertUpdate['classification'], determination: change.payload.determination as AlertUpdate['determination'] };
}

function stateOf(alert: Alert): AlertState {
  return {
    status: alert.status,
    assignedTo: alert.assignedTo ?? null,
    ...(alert.classification ? { classification: alert.classification } : {}),
    ...(alert.determination ? { determination: alert.determination } : {}),
  };
}

/** What the card says while a change is on its way to Defender. */
export function pendingChangeText(change: AlertChange): string {
  return `${describeChange(change).pending} on alert ${change.payload.alertId}. This card updates when Defender confirms.`;
}

/** How a change reads while it runs and once it is done. */
function describeChange(change: AlertChange): { pending: string; done: string } {
  switch (change.verb) {
    case 'alert.assign':
      return { pending: 'Assigning to you', done: 'Assigned' };
    case 'alert.status': {
      const status = statusLabel(change.payload.status);
      return { pending: `Setting status to ${status}`, done: `Status set to ${status}` };
    }
    case 'alert.classify': {
      const verdict = `${classificationLabel(change.payload.classification)} — ${determinationLabel(change.payload.determination)}`;
      return { pending: `Classifying as ${verdict}`, done: `Classified as ${verdict}` };
    }
    case 'alert.comment':
      return { pending: 'Adding your comment', done: 'Comment added' };
  }
}
