import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { LinkHealth } from '../delivery/ports.js';
import type { LinkDirectory } from '../delivery/targets/target-kind.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { Collection, Storage } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { CHANNEL_LINKS, linkKeyOf, type ChannelLink } from './store-schema.js';

export type LinkHealthState = 'active' | 'bot-removed' | 'broken';

/** A link as `channels` shows it. */
export interface LinkView {
  readonly link: ChannelLink;
  readonly conversation: ConversationRecord | undefined;
  readonly tenant: TenantRecord | undefined;
  readonly place: string;
  readonly health: LinkHealthState;
  /** Why the link does not work, when it does not. */
  readonly reason: string | undefined;
  /** When an alert was last delivered there, if the delivery side reports it. */
  readonly lastDeliveryAt: string | undefined;
}

export interface ChannelLinksDeps {
  readonly storage: Storage;
  readonly conversations: ConversationRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The delivery side's record of the last alert posted to a conversation; absent until it has one. */
  readonly lastDeliveryAt?: (conversationId: string) => string | undefined;
}

/**
 * Which conversations receive which customer's alerts (many-to-many), and whether each still
 * works. Only `link`, typed in the conversation itself, makes a conversation a destination.
 */
export class ChannelLinks implements LinkHealth, LinkDirectory {
  private readonly linkedListeners: ((tenant: TenantRecord, conversation: ConversationRecord) => void)[] = [];
  /** Routing reads the links straight from here (and rebuilds its index when their version moves). */
  readonly records: Collection<ChannelLink>;

  constructor(private readonly deps: ChannelLinksDeps) {
    this.records = deps.storage.collection(CHANNEL_LINKS);
  }

  /** Hears of every new link (not of a link made again); the sandbox raises a first alert for it. */
  onLinked(listener: (tenant: TenantRecord, conversation: ConversationRecord) => void): void {
    this.linkedListeners.push(listener);
  }

  /**
   * Links the conversation to the tenant. Linking again where the link is broken repairs every
   * link of that conversation: the command proves the bot can read and post there again.
   */
  async link(conversation: ConversationRecord, tenant: TenantRecord, actor: Actor): Promise<{ created: boolean; repaired: boolean }> {
    if (conversation.kind === 'personal') {
      throw new UsageError('Alerts go to Teams channels and group chats, not personal chats: run "link" in the channel (or group chat) that should receive them.');
    }
    if (tenant.status === 'offboarded') throw new ConflictError(`${tenant.displayName} is offboarded, so it has no alerts to deliver.`);
    const now = this.deps.clock.now().toISOString();
    const result = await this.records.write((draft) => {
      let repaired = false;
      for (const link of draft.all()) {
        if (link.conversationId === conversation.id && link.broken) {
          const { broken: _repaired, ...working } = link;
          draft.put(working);
          repaired = true;
        }
      }
      if (draft.get(linkKeyOf(conversation.id, tenant.tenantId))) return { created: false, repaired };
      draft.put({ conversationId: conversation.id, tenantId: tenant.tenantId, linkedBy: actor.userId ?? 'unknown', linkedByName: actor.displayName, linkedAt: now });
      return { created: true, repaired };
    });
    this.deps.logger.info({ event: 'channel.linked', conversationId: conversation.id, tenant: tenant.handle, created: result.created, repaired: result.repaired, userId: actor.userId }, 'conversation linked to a tenant');
    if (result.created) for (const listener of this.linkedListeners) listener(tenant, conversation);
    return result;
  }

  /** Removes the link; throws NotFoundError (saying where the tenant is linked) when there is none. */
  async unlink(conversationId: string, tenant: TenantRecord, actor: Actor): Promise<void> {
    const removed = await this.records.write((draft) => draft.delete(linkKeyOf(conversationId, tenant.tenantId)));
    if (!removed) {
      const elsewhere = this.linksOf(tenant.tenantId).map((l) => this.placeName(l.conversationId));
      throw new NotFoundError(
        `${this.placeName(conversationId)} is not linked to ${tenant.displayName}, so there is nothing to unlink.${elsewhere.length ? ` ${tenant.displayName} is linked to: ${elsewhere.join('; ')}.` : ` ${tenant.displayName} has no linked channels.`}`,
      );
    }
    this.deps.logger.info({ event: 'channel.unlinked', conversationId, tenant: tenant.handle, userId: actor.userId }, 'conversation unlinked from a tenant');
  }

  async markBroken(conversationId: string, reason: string): Promise<boolean> {
    const at = this.deps.clock.now().toISOString();
    const changed = await this.records.write((draft) => {
      let first = false;
      for (const link of draft.all()) {
        if (link.conversationId === conversationId && !link.broken) {
          draft.put({ ...link, broken: { reason: reason.slice(0, 300), at } });
          first = true;
        }
      }
      return first;
    });
    if (changed) {
      this.deps.logger.warn({ event: 'channel.broken', conversationId, reason: reason.slice(0, 300) }, 'alert channel marked broken');
    }
    return changed;
  }

  /** Every link of a tenant (copies). */
  linksOf(tenantId: string): ChannelLink[] {
    return this.records.all().filter((l) => l.tenantId === tenantId).map((l) => ({ ...l }));
  }

  isLinked(conversationId: string, tenantId: string): boolean {
    return this.records.get(linkKeyOf(conversationId, tenantId)) !== undefined;
  }

  hasLinks(tenantId: string): boolean {
    return this.records.all().some((l) => l.tenantId === tenantId);
  }

  /** A conversation id, or the name of a linked channel or group chat, as the conversation's id; refused with what is linked. */
  conversationNamed(ref: string): string {
    return conversationNamedAmong(ref, [...new Set(this.records.all().map((l) => l.conversationId))], this.deps.conversations);
  }

  /** The links `actor` may see (a customer-admin: their own tenant's), optionally of one tenant, with their health. */
  views(visibleTenants: readonly TenantRecord[], onlyTenantId?: string): LinkView[] {
    const byId = new Map(visibleTenants.map((t) => [t.tenantId, t]));
    return this.records
      .all()
      .filter((l) => byId.has(l.tenantId) && (!onlyTenantId || l.tenantId === onlyTenantId))
      .map((l) => this.view({ ...l }, byId.get(l.tenantId)))
      .sort((a, b) => (a.tenant?.displayName ?? '').localeCompare(b.tenant?.displayName ?? '') || a.place.localeCompare(b.place));
  }

  /** One line for `tenants`: where the tenant's alerts go, and how many links do not work. */
  summaryFor(tenantId: string): string {
    const views = this.linksOf(tenantId).map((l) => this.view(l, undefined));
    if (views.length === 0) return 'none linked';
    return views.map((v) => (v.health === 'active' ? v.place : `${v.place} (${healthLabel(v.health)})`)).join('; ');
  }

  /** How people recognise a conversation: `Team › Channel`, a group chat's title. */
  placeName(conversationId: string): string {
    return placeNameOf(this.deps.conversations.get(conversationId), conversationId);
  }

  private view(link: ChannelLink, tenant: TenantRecord | undefined): LinkView {
    const conversation = this.deps.conversations.get(link.conversationId);
    const removed = !conversation || !conversation.active;
    const health: LinkHealthState = removed ? 'bot-removed' : link.broken ? 'broken' : 'active';
    const reason = removed
      ? `SOC Bridge was removed from this conversation${conversation?.removedAt ? ` on ${conversation.removedAt.slice(0, 10)}` : ''}; add it again to deliver alerts here.`
      : link.broken
        ? `${link.broken.reason} (since ${link.broken.at.slice(0, 16).replace('T', ' ')} UTC). Run "link" there again once fixed.`
        : undefined;
    return { link, conversation, tenant, place: placeNameOf(conversation, link.conversationId), health, reason, lastDeliveryAt: this.deps.lastDeliveryAt?.(link.conversationId) };
  }
}

/**
 * The conversation `ref` names among the bot's conversations: its id, or the name of one of the
 * linked conversations `linkedIds` (`Team › Channel`, the channel's name, a group chat's title).
 * Throws UsageError (for `to:`) saying what is linked.
 */
export function conversationNamedAmong(ref: string, linkedIds: readonly string[], conversations: { get(id: string): ConversationRecord | undefined }): string {
  const byId = conversations.get(ref);
  if (byId) return byId.id;
  const named = linkedIds
    .map((id) => ({ id, conversation: conversations.get(id) }))
    .filter(({ id, conversation }) => [placeNameOf(conversation, id), conversation?.channelName, conversation?.title].some((n) => n?.toLowerCase() === ref.toLowerCase()));
  if (named.length === 1 && named[0]) return named[0].id;
  const known = linkedIds.slice(0, 10).map((id) => `"${placeNameOf(conversations.get(id), id)}"`).join(', ');
  if (named.length > 1) throw new UsageError(`to: several linked conversations are called "${ref.slice(0, 60)}"; use "here" in the one you mean, or its conversation id ("channels" shows them).`);
  throw new UsageError(`to: "${ref.slice(0, 60)}" is not a linked channel or group chat.${known ? ` Linked: ${known}.` : ' No conversation is linked yet: run "link <tenant>" in a channel first.'} Use channels, here, a linked channel's name or id, or an email address.`);
}

export function healthLabel(health: LinkHealthState): string {
  return health === 'active' ? 'active' : health === 'broken' ? 'broken' : 'bot removed';
}

export function placeNameOf(conversation: ConversationRecord | undefined, conversationId: string): string {
  if (!conversation) return `conversation ${conversationId.slice(0, 40)}`;
  if (conversation.kind === 'channel') {
    const channel = conversation.channelName ?? (conversation.teamsChannelId === conversation.teamId ? 'General' : 'a channel');
    return conversation.teamName ? `${conversation.teamName} › ${channel}` : channel;
  }
  if (conversation.kind === 'groupChat') return `group chat “${conversation.title ?? 'untitled'}”`;
  return 'a personal chat';
}
