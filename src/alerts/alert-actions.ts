import { randomBytes } from 'node:crypto';
import type { z } from 'zod/v4';
import type { AuditLog } from '../audit/audit-log.js';
import type { CardColor } from '../cards/catalog.js';
import type { Clock } from '../clock.js';
import { denialMessage, isAllowed } from '../commands/access.js';
import { cardReply, notice, type Reply } from '../commands/reply.js';
import type { Alert } from '../defender/alert.js';
import type { AlertUpdate, GraphSecurityClient } from '../defender/graph-client.js';
import { NotFoundError, UsageError, isSocBridgeError, userFacingMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { AlertState, TenantRecord } from '../store/schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { AlertRefPayload, ClassifyPayload, CommentPayload, MorePayload, StatusPayload } from './action-payloads.js';
import type { AlertService } from './alert-service.js';
import { alertDetailCard, alertListCard, classificationLabel, determinationLabel, statusLabel, utc } from './alert-views.js';
import { ALERT_VERBS, type AlertVerb } from './verbs.js';

/**
 * What a card click produces. `final` never rejects. `interim` is shown if `final` takes longer
 * than Teams lets an invoke wait; `shared` results replace the card for everyone in the
 * conversation, others only for the person who clicked; `post` results arrive as a new message.
 */
export interface ActionOutcome {
  readonly interim: Reply;
  readonly final: Promise<Reply>;
  readonly delivery: 'shared' | 'clicker' | 'post';
}

/** A card an action came from: the conversation (base id) and the message. */
export interface CardOrigin {
  readonly conversationId: string;
  readonly messageId?: string;
}

/** Hears about alerts changed from cards (delivery keeps the other copies current). */
export interface AlertChangeListener {
  alertChanged(tenant: TenantRecord, alert: Alert, origin?: CardOrigin): void;
}

type Change =
  | { verb: 'alert.assign'; payload: z.infer<typeof AlertRefPayload> }
  | { verb: 'alert.status'; payload: z.infer<typeof StatusPayload> }
  | { verb: 'alert.classify'; payload: z.infer<typeof ClassifyPayload> }
  | { verb: 'alert.comment'; payload: z.infer<typeof CommentPayload> };

const CHANGE_SCHEMAS = {
  'alert.assign': AlertRefPayload,
  'alert.status': StatusPayload,
  'alert.classify': ClassifyPayload,
  'alert.comment': CommentPayload,
} as const;

const ACTION_NAMES: Readonly<Record<Change['verb'], string>> = {
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

  /** `origin` is the card clicked (it shows the result already, so it needs no other edit). */
  handle(verb: AlertVerb, data: unknown, actor: Actor, origin?: CardOrigin): ActionOutcome {
    if (!isAllowed(actor.role, verb)) {
      const refusal = notice({ tone: 'attention', title: 'Not allowed', text: denialMessage(actor.role, verb) });
      return { interim: refusal, final: Promise.resolve(refusal), delivery: 'clicker' };
    }
    switch (verb) {
      case ALERT_VERBS.open:
        return this.quick(this.detail(data, actor), 'post');
      case ALERT_VERBS.refresh:
        return this.quick(this.refresh(data, actor), 'shared');
      case ALERT_VERBS.more:
        return this.quick(this.more(data, actor), 'clicker');
      default:
        return this.change(verb, data, actor, origin);
    }
  }

  private quick(work: Promise<Reply>, delivery: ActionOutcome['delivery']): ActionOutcome {
    const final = this.safely(work, delivery);
    // A sentence, not a card: the card clicked stays as it is while Defender answers.
    return { interim: { kind: 'text', text: 'Asking Defender; this takes a moment.' }, final, delivery };
  }

  private async detail(data: unknown, actor: Actor, notices: { color: CardColor; text: string }[] = []): Promise<Reply> {
    const ref = parse(AlertRefPayload, data);
    const tenant = this.tenantFor(ref.tenantId, actor);
    const alert = await this.deps.alerts.get(tenant, ref.alertId);
    return this.detailReply(tenant, alert, notices);
  }

  /** The card again with the alert's current state; if Defender no longer has the alert, the card stays as it was and the clicker is told why. */
  private async refresh(data: unknown, actor: Actor): Promise<Reply> {
    try {
      return await this.detail(data, actor);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return { kind: 'text', text: `${error.userMessage} This card keeps what it showed last.` };
    }
  }

  private detailReply(tenant: TenantRecord, alert: Alert, notices: { color: CardColor; text: string }[]): Reply {
    return cardReply('alert-detail', alertDetailCard(tenant, alert, { writable: tenant.writeAccess, notices }), `${alert.severity}: ${alert.title}`);
  }

  private async more(data: unknown, actor: Actor): Promise<Reply> {
    const request = parse(MorePayload, data);
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

  private change(verb: Change['verb'], data: unknown, actor: Actor, origin: CardOrigin | undefined): ActionOutcome {
    let change: Change;
    try {
      change = { verb, payload: parse(CHANGE_SCHEMAS[verb], data) } as Change;
    } catch (error) {
      const reply = notice({ tone: 'warning', title: 'Check the form', text: userFacingMessage(error, 'form') });
      return { interim: reply, final: Promise.resolve(reply), delivery: 'clicker' };
    }
    const interim = notice({ title: 'Working on it…', text: `${describeChange(change).pending} on alert ${change.payload.alertId}. This card updates when Defender confirms.` });
    return { interim, final: this.safely(this.apply(change, actor, origin), 'shared'), delivery: 'shared' };
  }

  private async apply(change: Change, actor: Actor, origin: CardOrigin | undefined): Promise<Reply> {
    const tenant = this.tenantFor(change.payload.tenantId, actor);
    if (!tenant.writeAccess) {
      return notice({ tone: 'warning', title: 'Read-only customer', text: `${tenant.displayName} granted SOC Bridge read access only, so alerts cannot be changed from Teams. Use the Defender portal.` });
    }
    const current = await this.deps.alerts.get(tenant, change.payload.alertId);
    const before = stateOf(current);
    const stale = change.payload.version !== undefined && change.payload.version !== current.lastUpdateDateTime;
    if (stale && change.verb !== 'alert.comment') {
      this.deps.changes?.alertChanged(tenant, current, origin);
      await this.record(tenant, current, actor, change, before, before, 'refused', 'the alert had changed since the card was shown');
      return this.detailReply(tenant, current, [{ color: 'warning', text: `This alert changed at ${utc(current.lastUpdateDateTime)}, after your card was shown, so nothing was changed. Here is its current state; click again if you still want to ${ACTION_NAMES[change.verb]}.` }]);
    }
    if (change.verb === 'alert.assign' && current.assignedTo && current.assignedTo.toLowerCase() === ownerName(actor).toLowerCase()) {
      return this.detailReply(tenant, current, [{ color: 'default', text: 'This alert is already assigned to you; nothing was changed.' }]);
    }
    try {
      const updated = await this.perform(tenant, current, change, actor);
      this.deps.changes?.alertChanged(tenant, updated, origin);
      const after = { ...stateOf(updated), ...(change.verb === 'alert.comment' ? { comment: change.payload.comment } : {}) };
      await this.record(tenant, updated, actor, change, before, after, 'done');
      return this.detailReply(tenant, updated, [{ color: 'good', text: `${describeChange(change).done} by ${actor.displayName} at ${utc(this.deps.clock.now().toISOString())}.` }]);
    } catch (error) {
      const reference = randomBytes(4).toString('hex');
      const message = userFacingMessage(error, reference);
      if (!isSocBridgeError(error)) this.deps.logger.error({ event: 'alert.change_failed', reference, err: error }, 'alert change failed');
      await this.deps.alerts.failed(tenant, error);
      await this.record(tenant, current, actor, change, before, before, 'failed', message);
      return this.detailReply(tenant, current, [{ color: 'attention', text: `Could not ${ACTION_NAMES[change.verb]}: ${message}` }]);
    }
  }

  private async perform(tenant: TenantRecord, current: Alert, change: Change, actor: Actor): Promise<Alert> {
    const { graph } = this.deps;
    if (change.verb === 'alert.comment') {
      // App-only calls carry no analyst identity, so the comment names who wrote it.
      await graph.addComment(tenant.tenantId, current.id, `${actor.displayName} (via SOC Bridge): ${change.payload.comment}`);
      return graph.getAlert(tenant.tenantId, current.id);
    }
    const patch: AlertUpdate =
      change.verb === 'alert.assign'
        ? { assignedTo: ownerName(actor) }
        : change.verb === 'alert.status'
          ? { status: change.payload.status, ...(change.payload.status !== 'new' && !current.assignedTo ? { assignedTo: ownerName(actor) } : {}) }
          : { classification: change.payload.classification as AlertUpdate['classification'], determination: change.payload.determination as AlertUpdate['determination'] };
    return graph.updateAlert(tenant.tenantId, current.id, patch);
  }

  private async record(tenant: TenantRecord, alert: Alert, actor: Actor, change: Change, before: AlertState, after: AlertState, outcome: 'done' | 'failed' | 'refused', detail?: string): Promise<void> {
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

  /**
   * Turns any failure into a reply, so the chat never sees an exception. A card shared by the
   * conversation is never replaced by an error: the clicker gets the sentence, the card stays.
   */
  private async safely(work: Promise<Reply>, delivery: ActionOutcome['delivery']): Promise<Reply> {
    try {
      return await work;
    } catch (error) {
      const reference = randomBytes(4).toString('hex');
      if (!isSocBridgeError(error)) this.deps.logger.error({ event: 'card_action.failed', reference, err: error }, 'card action failed');
      const message = userFacingMessage(error, reference);
      if (delivery === 'shared') return { kind: 'text', text: `That did not work: ${message}` };
      return notice({ tone: 'attention', title: 'That did not work', text: message });
    }
  }
}

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'card data';
  throw new UsageError(`This card's data is not valid (${field}: ${issue?.message ?? 'invalid'}). Open the alert again with the "alert" command.`);
}

/** What Defender's `assignedTo` holds for an analyst: their email (UPN), else their name. */
function ownerName(actor: Actor): string {
  return actor.email ?? actor.displayName;
}

function stateOf(alert: Alert): AlertState {
  return {
    status: alert.status,
    assignedTo: alert.assignedTo ?? null,
    ...(alert.classification ? { classification: alert.classification } : {}),
    ...(alert.determination ? { determination: alert.determination } : {}),
  };
}

/** How a change reads while it runs and once it is done. */
function describeChange(change: Change): { pending: string; done: string } {
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
