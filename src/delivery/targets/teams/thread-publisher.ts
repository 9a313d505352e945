import { ChatDeliveryError, hasThreads, type Messenger } from '../../../conversations/messenger.js';
import type { ConversationRecord } from '../../../conversations/conversation-schema.js';
import type { Alert } from '../../../defender/alert.js';
import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import { incidentKeyOf } from '../../incident-ledger.js';
import type { DeliveryLedger } from '../../ledger.js';
import type { OutcomeBoard } from '../../outcomes.js';
import type { DeliveryRecord, IncidentThread } from '../../store-schema.js';
import { deliveredAlertCard } from './cards.js';
import type { TeamsDeliveryCounters } from './counters.js';
import { incidentOfAlert } from '../../incident-reader.js';
import { threadIncidentCard, threadStyle } from './incident-cards.js';

/** What posting into Teams needs, for alert cards and incident threads alike. */
export interface PublisherDeps {
  readonly ledger: DeliveryLedger;
  readonly messenger: Messenger;
  readonly tenants: { find(ref: string): TenantRecord | undefined };
  readonly counters: TeamsDeliveryCounters;
  readonly outcomes: OutcomeBoard;
}

export interface ThreadPublisherDeps extends PublisherDeps {
  /** The thread's incident card shows an older incident than the records hold. */
  threadBehind(conversationId: string, threadKey: string, messageId: string): void;
}

/**
 * Incident threads in Teams (rules with `group:incident`): the first alert of an incident posts
 * the incident card, which starts the thread; each later alert goes as a reply in that thread (in
 * a channel, `notify:every`) or only into the card's alert list (chats have no threads; and
 * `notify:first`). The card is edited whenever the incident changes. Calls throw what Teams
 * answered; the card publisher turns that into an outcome.
 */
export class ThreadPublisher {
  constructor(private readonly deps: ThreadPublisherDeps) {}

  /**
   * Delivers a pending alert of an incident thread. False when its thread cannot take it (its card
   * was posted without an id, or given up): the alert then gets a card of its own.
   */
  async post(conversation: ConversationRecord, d: DeliveryRecord, alert: Alert, tenant: TenantRecord): Promise<boolean> {
    const thread = d.threadKey ? this.deps.ledger.incidents.thread(d.threadKey) : undefined;
    if (!thread) return false;
    if (thread.state === 'pending') {
      await this.postIncidentCard(conversation, thread, d, alert, tenant);
      return true;
    }
    if (thread.state !== 'sent' || !thread.messageId) return false;
    const { ledger, counters } = this.deps;
    const sent = { sentAt: ledger.now(), shownVersion: alert.lastUpdateDateTime, attempts: d.attempts + 1, error: undefined };
    if (threadStyle(thread, hasThreads(conversation)) === 'replies') {
      let messageId: string | undefined;
      try {
        ({ messageId } = await this.deps.messenger.reply(conversation, thread.messageId, deliveredAlertCard(tenant, alert, d.options, { mark: d.mark })));
      } catch (error) {
        if (!(error instanceof ChatDeliveryError && error.status === 404)) throw error;
        // The thread's first message is gone (deleted in Teams), not the channel: the alert starts the thread afresh.
        // Should the channel be gone after all, that post is refused too and the link is marked broken then.
        await this.restartThread(conversation, thread, d, alert, tenant);
        return true;
      }
      ledger.updateDelivery(d.key, { ...sent, state: messageId ? 'sent' : 'sent-no-id', messageId, shownMark: d.mark?.text, threadRole: 'reply' });
      if (messageId) counters.posted++;
      else counters.postedWithoutId++;
    } else {
      // Shown by the incident card's alert list, which the incident's next read brings up to date.
      ledger.updateDelivery(d.key, { ...sent, state: 'sent', threadRole: 'card' });
      this.catchUp(conversation, thread);
    }
    this.deps.outcomes.settled(d.key, { status: 'sent' });
    return true;
  }

  /** Forgets a thread whose incident card is gone and posts a new incident card, which starts it again. */
  private async restartThread(conversation: ConversationRecord, thread: IncidentThread, d: DeliveryRecord, alert: Alert, tenant: TenantRecord): Promise<void> {
    const { ledger } = this.deps;
    const { messageId: _root, shownVersion: _shown, shownAlerts: _alerts, cardGone: _gone, error: _error, sentAt: _sent, ...rest } = thread;
    const fresh: IncidentThread = { ...rest, state: 'pending', updatedAt: ledger.now() };
    ledger.incidents.putThread(fresh);
    this.deps.counters.threadsRestarted++;
    await this.postIncidentCard(conversation, fresh, d, alert, tenant);
  }

  /** Brings a thread's incident card up to the incident the records hold; false when there is nothing to do. */
  async edit(conversation: ConversationRecord, threadKey: string, messageId: string): Promise<void> {
    const { ledger } = this.deps;
    const thread = ledger.incidents.thread(threadKey);
    if (!thread || thread.state !== 'sent' || thread.messageId !== messageId || thread.cardGone) return;
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    const snapshot = ledger.incidents.incident(incidentKey);
    const incident = ledger.incidents.incidentBody(incidentKey);
    const tenant = this.deps.tenants.find(thread.tenantId);
    if (!snapshot?.version || !incident || !tenant || snapshot.version === thread.shownVersion) return;
    const style = threadStyle(thread, hasThreads(conversation));
    await this.deps.messenger.update(conversation, messageId, threadIncidentCard(tenant, incident, { writable: snapshot.writable === true, style, options: thread.options }));
    const latest = ledger.incidents.thread(threadKey) ?? thread;
    ledger.incidents.putThread({ ...latest, shownVersion: snapshot.version, updatedAt: ledger.now() });
    this.deps.counters.edited++;
    this.catchUp(conversation, latest);
  }

  private async postIncidentCard(conversation: ConversationRecord, thread: IncidentThread, d: DeliveryRecord, alert: Alert, tenant: TenantRecord): Promise<void> {
    const { ledger, counters } = this.deps;
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    const snapshot = ledger.incidents.incident(incidentKey);
    const read = ledger.incidents.incidentBody(incidentKey);
    const incident = read ?? incidentOfAlert(thread.incidentId, alert);
    const style = threadStyle(thread, hasThreads(conversation));
    const { messageId } = await this.deps.messenger.send(conversation, threadIncidentCard(tenant, incident, { writable: snapshot?.writable === true, style, options: thread.options }));
    const now = ledger.now();
    const latest = ledger.incidents.thread(thread.key) ?? thread;
    const posted: IncidentThread = { ...latest, state: messageId ? 'sent' : 'sent-no-id', ...(messageId ? { messageId } : {}), sentAt: now, updatedAt: now, attempts: latest.attempts + 1 };
    // A card made from the alert alone shows no version: the incident, once read, replaces it.
    if (read && snapshot?.version) posted.shownVersion = snapshot.version;
    ledger.incidents.putThread(posted);
    ledger.updateDelivery(d.key, { state: 'sent', threadRole: 'card', shownVersion: alert.lastUpdateDateTime, sentAt: now, attempts: d.attempts + 1, error: undefined });
    if (messageId) counters.posted++;
    else counters.postedWithoutId++;
    this.deps.outcomes.settled(d.key, { status: 'sent' });
    this.catchUp(conversation, posted);
  }

  /** Schedules an edit when the incident moved on while its card was on its way. */
  private catchUp(conversation: ConversationRecord, thread: IncidentThread): void {
    const snapshot = this.deps.ledger.incidents.incident(incidentKeyOf(thread.tenantId, thread.incidentId));
    if (thread.state === 'sent' && thread.messageId && snapshot?.version && snapshot.body !== undefined && snapshot.version !== thread.shownVersion) this.deps.threadBehind(conversation.id, thread.key, thread.messageId);
  }
}
