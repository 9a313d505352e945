import { ChatDeliveryError } from '../../../conversations/messenger.js';
import type { ConversationRecord } from '../../../conversations/conversation-schema.js';
import { alertKeyOf } from '../../ledger.js';
import { sampleNotice } from '../../samples.js';
import { markBehind } from '../../store-schema.js';
import { deliveredAlertCard, digestCard } from './cards.js';
import { ThreadPublisher, type PublisherDeps } from './thread-publisher.js';

/** What one post or edit came to. */
export type PublishOutcome =
  /** Teams took it (or there was nothing left to do); the ledger says so. */
  | { readonly status: 'done' }
  /** It cannot be rendered (the alert body or the tenant is gone): give it up without asking Teams. */
  | { readonly status: 'unpublishable'; readonly reason: string }
  /** Teams refused, or did not answer. */
  | { readonly status: 'failed'; readonly failure: ChatDeliveryError };

/** What to do when the alert changed while its card was on its way (the worker plans and queues it). */
export interface PublishFollowUps {
  /** The alert has a newer version than the card just posted. */
  alertChanged(alertKey: string): void;
  /** The card just edited is behind the alert again. */
  cardBehind(deliveryKey: string): void;
  /** The digest just posted or edited is behind its rows. */
  digestBehind(conversationId: string, digestId: string, messageId: string): void;
  /** An incident thread's card shows an older incident than the records hold. */
  threadBehind(conversationId: string, threadKey: string, messageId: string): void;
}

/**
 * Card publishing: renders a delivery or digest, posts or edits it through the messenger, and
 * records what Teams answered (the message id, the version shown). Never throws: failures come
 * back as outcomes for the failure policy.
 */
export class CardPublisher {
  private readonly threads: ThreadPublisher;

  constructor(
    private readonly deps: PublisherDeps & {
      followUps: PublishFollowUps;
      stormReason(): string;
    },
  ) {
    this.threads = new ThreadPublisher({ ...deps, threadBehind: (conversationId, threadKey, messageId) => deps.followUps.threadBehind(conversationId, threadKey, messageId) });
  }

  postCard(conversation: ConversationRecord, key: string): Promise<PublishOutcome> {
    return attempt(async () => {
      const { ledger } = this.deps;
      const d = ledger.delivery(key);
      if (!d || d.state !== 'pending') return DONE;
      const alertKey = alertKeyOf(d.tenantId, d.alertId);
      const alert = ledger.alertBody(alertKey);
      const tenant = this.deps.tenants.find(d.tenantId);
      if (!alert || !tenant) return { status: 'unpublishable', reason: alert ? 'the customer tenant is no longer known' : 'the alert data was lost before posting' };
      if (d.threadKey && (await this.threads.post(conversation, d, alert, tenant))) {
        if (ledger.snapshot(alertKey)?.version !== alert.lastUpdateDateTime) this.deps.followUps.alertChanged(alertKey);
        ledger.releaseBodyIfIdle(alertKey);
        return DONE;
      }
      const { messageId } = await this.deps.messenger.send(conversation, deliveredAlertCard(tenant, alert, d.options, { sampleNotice: sampleNotice(d), mark: d.mark }));
      ledger.updateDelivery(key, { state: messageId ? 'sent' : 'sent-no-id', messageId, shownVersion: alert.lastUpdateDateTime, shownMark: d.mark?.text, sentAt: ledger.now(), attempts: d.attempts + 1, error: undefined });
      if (messageId) this.deps.counters.posted++;
      else this.deps.counters.postedWithoutId++;
      this.deps.outcomes.settled(key, { status: 'sent' });
      // Changed while it was being posted: bring the card up to date.
      if (ledger.snapshot(alertKey)?.version !== alert.lastUpdateDateTime) this.deps.followUps.alertChanged(alertKey);
      ledger.releaseBodyIfIdle(alertKey);
      return DONE;
    });
  }

  postDigest(conversation: ConversationRecord, id: string): Promise<PublishOutcome> {
    return attempt(async () => {
      const { ledger } = this.deps;
      const digest = ledger.digest(id);
      if (!digest || digest.state !== 'pending') return DONE;
      const revision = digest.revision;
      const { messageId } = await this.deps.messenger.send(conversation, digestCard(digest, this.deps.stormReason()));
      const latest = ledger.digest(id) ?? digest;
      ledger.putDigest({ ...latest, state: messageId ? 'sent' : 'sent-no-id', ...(messageId ? { messageId } : {}), shownRevision: revision, attempts: latest.attempts + 1, updatedAt: ledger.now() });
      if (messageId) this.deps.counters.posted++;
      else this.deps.counters.postedWithoutId++;
      if (messageId && latest.revision > revision) this.deps.followUps.digestBehind(conversation.id, id, messageId);
      return DONE;
    });
  }

  editCard(conversation: ConversationRecord, key: string, messageId: string): Promise<PublishOutcome> {
    return attempt(async () => {
      const { ledger } = this.deps;
      const d = ledger.delivery(key);
      if (!d || d.state !== 'sent' || d.messageId !== messageId || d.cardGone) return DONE;
      const alertKey = alertKeyOf(d.tenantId, d.alertId);
      const alert = ledger.alertBody(alertKey);
      const tenant = this.deps.tenants.find(d.tenantId);
      if (!alert || !tenant || (alert.lastUpdateDateTime === d.shownVersion && !markBehind(d))) {
        ledger.releaseBodyIfIdle(alertKey);
        return DONE;
      }
      await this.deps.messenger.update(conversation, messageId, deliveredAlertCard(tenant, alert, d.options, { sampleNotice: sampleNotice(d), mark: d.mark }));
      const shown = ledger.updateDelivery(key, { shownVersion: alert.lastUpdateDateTime, shownMark: d.mark?.text });
      this.deps.counters.edited++;
      // The alert changed, or the card was marked again, while this edit was on its way.
      if (ledger.snapshot(alertKey)?.version !== alert.lastUpdateDateTime || (shown && markBehind(shown))) this.deps.followUps.cardBehind(key);
      ledger.releaseBodyIfIdle(alertKey);
      return DONE;
    });
  }

  /** Brings an incident thread's card up to the incident the records hold. */
  editThread(conversation: ConversationRecord, threadKey: string, messageId: string): Promise<PublishOutcome> {
    return attempt(async () => {
      await this.threads.edit(conversation, threadKey, messageId);
      return DONE;
    });
  }

  editDigest(conversation: ConversationRecord, id: string, messageId: string): Promise<PublishOutcome> {
    return attempt(async () => {
      const { ledger } = this.deps;
      const digest = ledger.digest(id);
      if (!digest || digest.state !== 'sent' || digest.messageId !== messageId || digest.shownRevision >= digest.revision) return DONE;
      const revision = digest.revision;
      await this.deps.messenger.update(conversation, messageId, digestCard(digest, this.deps.stormReason()));
      const latest = ledger.digest(id) ?? digest;
      ledger.putDigest({ ...latest, shownRevision: revision, updatedAt: ledger.now() });
      this.deps.counters.edited++;
      if (latest.revision > revision) this.deps.followUps.digestBehind(conversation.id, id, messageId);
      return DONE;
    });
  }
}

const DONE: PublishOutcome = { status: 'done' };

async function attempt(publish: () => Promise<PublishOutcome>): Promise<PublishOutcome> {
  try {
    return await publish();
  } catch (error) {
    const failure = error instanceof ChatDeliveryError ? error : new ChatDeliveryError('transient', undefined, undefined, error instanceof Error ? error.message : String(error));
    return { status: 'failed', failure };
  }
}
