import type { Clock } from '../clock.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { Actor } from '../roles/actor.js';
import type { ChannelLinks } from '../routing/channel-links.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { nextRunMs } from './due-run.js';
import type { SummarySchedules } from './summary-schedules.js';
import type { SummarySchedule } from './summary-schema.js';

/** What `summary daily …` asks for. */
export interface SummaryRequest {
  readonly conversation: ConversationRecord;
  readonly actor: Actor;
  readonly time: string;
  readonly timeZone: string;
  /** Customers named (handles, ids or domains); none: all that the conversation may receive. */
  readonly tenantRefs: readonly string[];
}

/** Sets and removes daily summaries. A summary goes only where its customers' alerts may go. */
export class SummaryService {
  constructor(private readonly deps: { schedules: SummarySchedules; links: ChannelLinks; soc: SocNotifier; tenants: TenantRegistry; clock: Clock; logger: Logger }) {}

  /**
   * In the SOC channel: the shift hand-over across customers. In a channel or group chat linked to
   * customers: a morning card per customer, for linked customers only.
   */
  async set(request: SummaryRequest): Promise<{ schedule: SummarySchedule; customers: TenantRecord[]; nextMs: number }> {
    const { conversation, actor } = request;
    if (conversation.kind === 'personal') {
      throw new UsageError('Daily summaries go to a channel: type "@SOC Bridge summary daily 07:30 Europe/Berlin" in a channel linked to a customer, or in the SOC channel for the shift hand-over.');
    }
    const isSocChannel = this.deps.soc.socConversationId() === conversation.id;
    const named = request.tenantRefs.map((ref) => this.deps.tenants.resolve(ref, actor));
    let customers: TenantRecord[];
    if (isSocChannel) {
      customers = named;
    } else {
      const linked = this.deps.links.records.all().filter((l) => l.conversationId === conversation.id).flatMap((l) => this.deps.tenants.find(l.tenantId) ?? []);
      if (linked.length === 0) {
        throw new UsageError('This conversation is not linked to any customer and is not the SOC channel. Link a customer here first ("link <tenant>"), or run this in the SOC channel ("soc-channel") for the shift hand-over.');
      }
      const stranger = named.find((t) => !linked.some((l) => l.tenantId === t.tenantId));
      if (stranger) {
        throw new UsageError(`${stranger.displayName} is not linked to this conversation, so its summary cannot come here (its alerts do not). Linked here: ${linked.map((t) => t.handle).join(', ')}.`);
      }
      customers = named.length ? named : linked;
    }
    const schedule: SummarySchedule = {
      conversationId: conversation.id,
      kind: isSocChannel ? 'handover' : 'customer',
      tenantIds: named.map((t) => t.tenantId),
      time: request.time,
      timeZone: request.timeZone,
      setBy: actor.userId ?? 'unknown',
      setByName: actor.displayName,
      setAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.schedules.set(schedule);
    this.deps.logger.info({ event: 'summary.set', conversationId: conversation.id, kind: schedule.kind, time: schedule.time, timeZone: schedule.timeZone, tenants: schedule.tenantIds.length, userId: actor.userId }, 'daily summary set');
    return { schedule, customers, nextMs: nextRunMs(schedule, this.deps.clock.nowMs()) };
  }

  /** Stops the conversation's daily summary; the schedule it had, or undefined if there was none. */
  async off(conversationId: string, actor: Actor): Promise<SummarySchedule | undefined> {
    const current = this.deps.schedules.get(conversationId);
    if (!current) return undefined;
    await this.deps.schedules.remove(conversationId);
    this.deps.logger.info({ event: 'summary.off', conversationId, userId: actor.userId }, 'daily summary stopped');
    return current;
  }

  /** The conversation's schedule (tests and the facade read it). */
  get(conversationId: string): SummarySchedule | undefined {
    return this.deps.schedules.get(conversationId);
  }
}
