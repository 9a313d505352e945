import { utc } from '../alerts/alert-views.js';
import type { ColoredLine } from '../cards/onboarding-cards.js';
import type { Clock } from '../clock.js';
import { cardReply, commandButton, notice, type Reply } from '../chat/reply.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import { AccessDeniedError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { CHECKLIST, stepById, type StepId } from './checklist.js';
import { actorRef, type OnboardingRecords } from './onboarding-records.js';
import type { OnboardingRecord } from './store-schema.js';
import { checklistCard, checklistProgress } from './views.js';

/** A second "Need help" on the same step within this time does not ping the SOC again. */
const HELP_COOLDOWN_MS = 15 * 60_000;

/**
 * The access-grant guide: posted once consent is proven, ticked off by the customer's admins (or
 * SOC admins), with progress kept in the store and shown on the card for everyone.
 */
export class AccessGuide {
  constructor(
    private readonly deps: {
      records: OnboardingRecords;
      tenants: TenantRegistry;
      conversations: ConversationRegistry;
      messenger: Messenger;
      soc: SocNotifier;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Posts the guide where the consent card is (or refreshes it if it was posted before). */
  async post(tenant: TenantRecord): Promise<void> {
    const record = this.deps.records.get(tenant.tenantId);
    const conversationId = record?.checklist.card?.conversationId ?? record?.consentCard?.conversationId;
    const conversation = conversationId ? this.deps.conversations.get(conversationId) : undefined;
    if (!record || !conversation?.active) {
      this.deps.logger.warn({ event: 'onboarding.guide_unposted', tenant: tenant.handle }, 'no conversation to post the access-grant guide to');
      return;
    }
    const reply = this.reply(tenant, record);
    try {
      const existing = record.checklist.card;
      if (existing?.messageId && existing.conversationId === conversation.id) {
        await this.deps.messenger.update(conversation, existing.messageId, reply);
        return;
      }
      const sent = await this.deps.messenger.send(conversation, reply);
      await this.deps.records.update(tenant.tenantId, (r) => {
        r.checklist.card = { conversationId: conversation.id, ...(sent.messageId ? { messageId: sent.messageId } : {}) };
        this.deps.records.note(r, 'access guide posted');
      });
    } catch (error) {
      this.deps.logger.warn({ event: 'onboarding.guide_post_failed', tenant: tenant.handle, err: error }, 'could not post the access-grant guide');
    }
  }

  reply(tenant: TenantRecord, record: OnboardingRecord, notices: ColoredLine[] = []): Reply {
    const data = checklistCard({ tenant, record, notices });
    return cardReply('checklist', data, `${tenant.displayName}: access guide, ${data.summary}`);
  }

  /** "Done" on a step: recorded once, with who and when. */
  async tick(tenantRef: string, stepId: StepId, actor: Actor): Promise<Reply> {
    const tenant = this.tenantFor(tenantRef, actor);
    const step = stepById(stepId);
    if (!step) throw new UsageError('That step is not part of the access guide.');
    const at = this.deps.clock.now().toISOString();
    const { record, changed } = await this.deps.records.update(tenant.tenantId, (r) => {
      const progress = (r.checklist.steps[step.id] ??= {});
      if (progress.doneAt) return { record: structuredClone(r), changed: false };
      progress.doneAt = at;
      progress.doneBy = actorRef(actor);
      this.deps.records.note(r, `access guide: ${step.id} done`, actor.displayName);
      return { record: structuredClone(r), changed: true };
    });
    const number = CHECKLIST.indexOf(step) + 1;
    if (changed && checklistProgress(record).requiredOpen.length === 0 && !step.optional) {
      await this.deps.soc.notify(
        notice({ tone: 'good', title: `${tenant.displayName} finished the access guide`, text: `Every required step is marked done (the last one, step ${number}, by ${actor.displayName}). MSSP analysts can request access with the My Access links.` }),
        'onboarding.guide_done',
      );
    }
    const line: ColoredLine = changed
      ? { text: `Step ${number} marked done by ${actor.displayName}.`, color: 'good' }
      : { text: `Step ${number} was already done.`, color: 'default' };
    return this.reply(tenant, record, [line]);
  }

  /** "Need help" on a step: the SOC channel is told (not again within a quarter of an hour). */
  async askHelp(tenantRef: string, stepId: StepId, actor: Actor, conversationId: string | undefined): Promise<Reply> {
    const tenant = this.tenantFor(tenantRef, actor);
    const step = stepById(stepId);
    if (!step) throw new UsageError('That step is not part of the access guide.');
    const record = this.deps.records.get(tenant.tenantId);
    if (!record) throw new NotFoundError(`${tenant.displayName} has no access guide yet.`);
    const number = CHECKLIST.indexOf(step) + 1;
    const earlier = record.checklist.steps[step.id]?.helpAt;
    if (earlier && this.deps.clock.nowMs() - Date.parse(earlier) < HELP_COOLDOWN_MS) {
      return this.reply(tenant, record, [{ text: `The SOC was already asked about step ${number} at ${utc(earlier)}; someone will get back to you here.`, color: 'warning' }]);
    }
    const place = conversationId ? this.deps.conversations.get(conversationId) : undefined;
    const where = place ? place.title ?? place.channelName ?? 'their chat with the SOC' : 'their chat with the SOC';
    const told = await this.deps.soc.notify(
      notice({
        tone: 'warning',
        title: `${tenant.displayName} asks for help with the access guide`,
        text: `${actor.displayName} needs help with step ${number}, "${step.title}". Reply to them in ${where}.`,
        buttons: [commandButton('Status', `status ${tenant.handle}`)],
      }),
      'onboarding.help',
    );
    if (!told) {
      return this.reply(tenant, record, [{ text: 'I could not reach the SOC channel just now. Please contact your SOC directly, or try again later.', color: 'attention' }]);
    }
    const at = this.deps.clock.now().toISOString();
    const updated = await this.deps.records.update(tenant.tenantId, (r) => {
      const progress = (r.checklist.steps[step.id] ??= {});
      progress.helpAt = at;
      progress.helpBy = actorRef(actor);
      this.deps.records.note(r, `access guide: help asked on ${step.id}`, actor.displayName);
      return structuredClone(r);
    });
    return this.reply(tenant, updated, [{ text: `The SOC was told that ${actor.displayName} needs help with step ${number}; someone will get back to you here.`, color: 'accent' }]);
  }

  /** The tenant, if this person may work on its guide: its own customer-admins and SOC admins. */
  private tenantFor(ref: string, actor: Actor): TenantRecord {
    let tenant: TenantRecord;
    try {
      tenant = this.deps.tenants.resolve(ref, actor);
    } catch (error) {
      if (error instanceof NotFoundError && actor.role === 'customer-admin') {
        throw new AccessDeniedError("Only this customer's own admins and the SOC's admins can work on its access guide. Nothing was changed.");
      }
      throw error;
    }
    if (tenant.status === 'offboarded') throw new UsageError(`${tenant.displayName} was offboarded; its access guide is closed.`);
    return tenant;
  }
}
