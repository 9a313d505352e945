import type { Clock } from '../clock.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import { hasThreads } from '../conversations/messenger.js';
import type { Alert } from '../defender/alert.js';
import type { CompanionContext, DeliveryCompanion, RoutedTarget } from '../delivery/ports.js';
import type { DeliveryRecord } from '../delivery/store-schema.js';
import { conversationOf } from '../delivery/targets/teams/teams-address.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { AlertFacts, DEFAULT_CONTENT, compileRule, ruleMatches } from '../routing/matcher.js';
import type { NotificationRule, RuleEscalation } from '../routing/store-schema.js';
import type { CollectionReader } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { EscalationBook } from './escalation-book.js';
import { escalatedNotice, escalationFollowUp, type EscalationLevel } from './escalation-message.js';
import { escalationKeyOf, type EscalationRecord } from './escalation-schema.js';

/** How often due escalations are looked for: a level goes out within this of its time. */
export const ESCALATION_TICK_MS = 15_000;
/** Attempts at posting one follow-up Teams refused for a while (throttled, unavailable), one per look. */
const MAX_POST_ATTEMPTS = 5;

export interface EscalationSchedulerDeps {
  readonly book: EscalationBook;
  readonly delivery: CompanionContext;
  readonly rules: CollectionReader<NotificationRule>;
  /** Where a rule sends a tenant's alerts now, under the links' isolation (`RuleRouter.targetsOf`). */
  readonly reach: { targetsOf(rule: NotificationRule, tenant: TenantRecord): readonly RoutedTarget[] };
  readonly tenants: { find(ref: string): TenantRecord | undefined };
  readonly conversations: { get(id: string): ConversationRecord | undefined };
  /** The alert as Defender has it now, read when a level is due. */
  readonly graph: { getAlert(tenantId: string, alertId: string): Promise<Alert> };
  readonly clock: Clock;
  readonly logger: Logger;
  /** Records of alerts older than this are dropped. */
  readonly retentionMs: number;
}

/** An alert someone took: owned, or no longer new. */
function taken(alert: Pick<Alert, 'status' | 'assignedTo'>): boolean {
  return alert.status !== 'new' || (alert.assignedTo ?? '') !== '';
}

/**
 * Escalations of unowned alerts. Runs beside delivery, on the instance running it: when delivery
 * routes a new alert that an escalating rule matches, a record is kept; at each level's time after
 * the alert's creation, if Defender still shows it new and unowned, the level is written as sent
 * (fenced by the delivery lease, before posting, so a level is never posted twice by a restart or
 * another instance), a follow-up mentioning the rule's people is posted in the thread of the
 * alert's card (or the rule's channel), and the alert's cards are marked. A change delivery sees
 * that gives the alert an owner or another status (a card click, the Defender portal) ends it.
 */
export class EscalationScheduler implements DeliveryCompanion {
  private stopped = false;
  private signalStop: () => void = () => undefined;
  private readonly stopSignal = new Promise<void>((resolve) => (this.signalStop = resolve));
  private loop: Promise<void> | undefined;
  /** Levels taken for sending whose follow-up Teams has not accepted yet, with the attempts made. */
  private readonly unposted = new Map<string, { level: number; attempts: number }>();
  private compiled: { version: number; rules: { rule: NotificationRule; compiled: ReturnType<typeof compileRule> }[] } | undefined;

  constructor(private readonly deps: EscalationSchedulerDeps) {}

  async start(): Promise<void> {
    await this.deps.book.load();
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.tick();
        if (!this.stopped) await Promise.race([this.deps.clock.sleep(ESCALATION_TICK_MS), this.stopSignal]);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.loop;
    await this.deps.book.settled();
  }

  alertRouted(tenant: TenantRecord, alert: Alert): void {
    if (taken(alert)) return;
    for (const { rule, compiled } of this.escalatingRules()) {
      const key = escalationKeyOf(tenant.tenantId, alert.id, rule.id);
      if (this.deps.book.get(key) || !ruleMatches(compiled, tenant.tenantId, new AlertFacts(alert))) continue;
      const record: EscalationRecord = { key, tenantId: tenant.tenantId, alertId: alert.id, ruleId: rule.id, createdDateTime: alert.createdDateTime, recordedAt: this.deps.clock.now().toISOString(), fired: [] };
      this.keep(this.deps.book.put(record), record);
    }
  }

  alertChanged(tenantId: string, alert: Alert): void {
    if (taken(alert)) for (const record of this.deps.book.ofAlert(tenantId, alert.id)) this.end(record, 'taken');
  }

  /** Sends every level due now. Never throws: a failure is logged and the next look goes on. */
  async tick(): Promise<void> {
    const now = this.deps.clock.nowMs();
    for (const record of this.deps.book.all()) {
      if (this.stopped || !this.deps.delivery.mayDeliver()) return;
      try {
        await this.look(record, now);
      } catch (error) {
        this.deps.logger.warn({ event: 'escalation.look_failed', key: record.key, err: error }, 'an escalation could not be looked at; trying again at the next look');
      }
    }
  }

  private async look(record: EscalationRecord, now: number): Promise<void> {
    const created = Date.parse(record.createdDateTime);
    if (!(created >= now - this.deps.retentionMs)) return this.end(record, 'expired');
    const rule = this.deps.rules.get(record.ruleId);
    if (!rule?.enabled || !rule.escalation) return this.end(record, 'rule changed');
    const unposted = this.unposted.get(record.key);
    if (unposted) return this.post(record, rule, rule.escalation, unposted.level);
    const levels = rule.escalation.afterMinutes;
    const due = levels.filter((minutes) => created + minutes * 60_000 <= now).length;
    const fired = Math.max(0, ...record.fired.map((f) => f.level));
    if (fired >= levels.length) return this.end(record, 'done');
    if (due <= fired) return;
    const alert = await this.current(record);
    if (!alert || taken(alert)) return this.end(record, alert ? 'taken' : 'gone');
    const at = this.deps.clock.now().toISOString();
    const claimed: EscalationRecord = {
      ...record,
      fired: [...record.fired, ...Array.from({ length: due - fired }, (_, i) => ({ level: fired + i + 1, at, ...(fired + i + 1 < due ? { skipped: true } : {}) }))],
    };
    // Written before anything is posted: once this write lands, no instance posts this level again.
    await this.deps.book.put(claimed);
    this.unposted.set(record.key, { level: due, attempts: 0 });
    await this.post(claimed, rule, rule.escalation, due, alert);
  }

  private async post(record: EscalationRecord, rule: NotificationRule, escalation: RuleEscalation, level: number, known?: Alert): Promise<void> {
    const { logger } = this.deps;
    const tenant = this.deps.tenants.find(record.tenantId);
    const alert = known ?? (await this.current(record));
    const log = { event: 'escalation.sent', key: record.key, ruleId: rule.id, level };
    if (!tenant || !alert || taken(alert)) {
      this.unposted.delete(record.key);
      logger.info({ ...log, event: 'escalation.dropped' }, 'an escalation due was not sent: the alert was taken or is gone');
      return;
    }
    const levelInfo: EscalationLevel = { level, of: escalation.afterMinutes.length, afterMinutes: escalation.afterMinutes[level - 1] ?? 0 };
    const cards = (await this.deps.delivery.deliveriesOf(`${record.tenantId}/${record.alertId}`)).filter((d) => d.target.kind === 'teams' && !d.sample);
    const place = this.placeFor(rule, escalation, tenant, cards);
    if (!place) {
      this.unposted.delete(record.key);
      await this.note(record, level, { error: 'no conversation linked to the customer to post it in' });
      logger.warn({ ...log, event: 'escalation.nowhere' }, 'an escalation due has nowhere to go: no conversation linked to the customer');
      return;
    }
    const options = cards[0]?.options ?? DEFAULT_CONTENT;
    const followUp = escalationFollowUp({ tenant, alert, rule, escalation, level: levelInfo, options });
    try {
      const { messenger } = this.deps.delivery;
      if (place.rootMessageId && hasThreads(place.conversation)) await messenger.reply(place.conversation, place.rootMessageId, followUp);
      else await messenger.send(place.conversation, followUp);
    } catch (error) {
      const attempts = (this.unposted.get(record.key)?.attempts ?? 0) + 1;
      const passing = (error as { kind?: string }).kind === 'throttled' || (error as { kind?: string }).kind === 'transient';
      if (passing && attempts < MAX_POST_ATTEMPTS && this.deps.delivery.mayDeliver()) {
        this.unposted.set(record.key, { level, attempts });
        logger.warn({ ...log, event: 'escalation.retrying', attempts, err: error }, 'an escalation could not be posted yet; trying again at the next look');
        return;
      }
      this.unposted.delete(record.key);
      await this.note(record, level, { error: error instanceof Error ? error.message : String(error) });
      logger.warn({ ...log, event: 'escalation.failed', err: error }, 'an escalation could not be posted');
      return;
    }
    this.unposted.delete(record.key);
    await this.note(record, level, { posted: true });
    logger.info({ ...log, conversationId: place.conversation.id, threaded: place.rootMessageId !== undefined, mentioned: escalation.mention.length }, 'escalation posted');
    await this.markCards(record, alert, escalatedNotice(escalation, levelInfo, this.deps.clock.now()));
  }

  /**
   * Where the follow-up goes: the rule's channel when it may show this tenant's alerts, else the
   * conversation of the alert's first card among those the rule reaches; in the card's thread
   * when the card was posted there.
   */
  private placeFor(rule: NotificationRule, escalation: RuleEscalation, tenant: TenantRecord, cards: readonly DeliveryRecord[]): { conversation: ConversationRecord; rootMessageId?: string } | undefined {
    const reachable = this.deps.reach.targetsOf(escalation.channel ? { ...rule, targets: [{ kind: 'teams', value: escalation.channel }], mode: undefined } : rule, tenant).flatMap((r) => (r.target.kind === 'teams' ? [conversationOf(r.target) ?? ''] : []));
    const fallback = escalation.channel && reachable.length === 0 ? this.deps.reach.targetsOf(rule, tenant).flatMap((r) => (r.target.kind === 'teams' ? [conversationOf(r.target) ?? ''] : [])) : [];
    const allowed = reachable.length > 0 ? reachable : fallback;
    const posted = [...cards].sort((a, b) => a.seq - b.seq).find((d) => allowed.includes(conversationOf(d.target) ?? ''));
    const conversationId = escalation.channel && reachable.length > 0 ? escalation.channel : (posted ? conversationOf(posted.target) : allowed[0]);
    const conversation = conversationId ? this.deps.conversations.get(conversationId) : undefined;
    if (!conversation?.active) return undefined;
    const card = posted && conversationOf(posted.target) === conversation.id ? posted : cards.find((d) => conversationOf(d.target) === conversation.id);
    // An alert delivered in an incident's thread is followed up in that thread, under the incident card.
    const rootMessageId = card?.threadKey ? this.deps.delivery.threadRootOf(card) : card?.state === 'sent' ? card.messageId : undefined;
    return rootMessageId ? { conversation, rootMessageId } : { conversation };
  }

  /**
   * Marks the alert's cards through delivery, which records the line on each delivery (so every
   * later redraw keeps it) and edits the cards in their conversations' paced queues.
   */
  private async markCards(record: EscalationRecord, alert: Alert, notice: string): Promise<void> {
    try {
      const marked = await this.deps.delivery.markCards(record.tenantId, alert, { color: 'attention', text: notice });
      this.deps.logger.debug({ event: 'escalation.marked', key: record.key, cards: marked }, 'escalated alert cards marked');
    } catch (error) {
      this.deps.logger.warn({ event: 'escalation.mark_failed', key: record.key, err: error }, 'an escalated alert\'s cards could not be marked');
    }
  }

  private async current(record: EscalationRecord): Promise<Alert | undefined> {
    try {
      return await this.deps.graph.getAlert(record.tenantId, record.alertId);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async note(record: EscalationRecord, level: number, outcome: { posted?: true; error?: string }): Promise<void> {
    const stored = this.deps.book.get(record.key) ?? record;
    await this.deps.book.put({ ...stored, fired: stored.fired.map((f) => (f.level === level ? { ...f, ...outcome } : f)) });
  }

  /** Drops the record: the alert was taken, is gone or too old, the rule changed, or every level went out. */
  private end(record: EscalationRecord, reason: string): void {
    this.unposted.delete(record.key);
    this.keep(this.deps.book.remove(record.key), record);
    this.deps.logger.debug({ event: 'escalation.ended', key: record.key, reason }, 'escalation ended');
  }

  private keep(write: Promise<void>, record: EscalationRecord): void {
    write.catch((error: unknown) => this.deps.logger.warn({ event: 'escalation.write_failed', key: record.key, err: error }, 'an escalation record could not be written'));
  }

  private escalatingRules(): { rule: NotificationRule; compiled: ReturnType<typeof compileRule> }[] {
    const { rules } = this.deps;
    if (this.compiled?.version !== rules.version) {
      this.compiled = { version: rules.version, rules: rules.all().filter((r) => r.enabled && r.escalation).map((rule) => ({ rule, compiled: compileRule(rule) })) };
    }
    return this.compiled.rules;
  }
}
