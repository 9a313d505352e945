import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ConversationKind, ConversationRecord } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** What the chat layer knows about a conversation the bot is in. */
export interface ConversationInfo {
  readonly id: string;
  readonly kind: ConversationKind;
  readonly serviceUrl: string;
  readonly channelId: string;
  readonly botId: string;
  readonly botName?: string;
  readonly teamsTenantId?: string;
  readonly teamId?: string;
  readonly teamName?: string;
  readonly teamsChannelId?: string;
  readonly channelName?: string;
  readonly title?: string;
}

const TRACKED_FIELDS = [
  'kind', 'serviceUrl', 'channelId', 'botId', 'botName', 'teamsTenantId', 'teamId', 'teamName', 'teamsChannelId', 'channelName', 'title',
] as const satisfies readonly (keyof ConversationInfo)[];

/**
 * Install bookkeeping: every conversation the bot was added to, with what is needed to post there
 * later. Records are never deleted, only marked inactive, so old deliveries still resolve.
 */
export class ConversationRegistry {
  constructor(private readonly deps: { store: Store; clock: Clock; logger: Logger }) {}

  /** A copy of the record, so callers never hold the store's live object. */
  get(id: string): ConversationRecord | undefined {
    const record = this.deps.store.read().conversations.find((c) => c.id === id);
    return record ? { ...record } : undefined;
  }

  /** The bot was added: store (or refresh) the record and mark it active. `wasActive` tells a repeat event from a (re)install. */
  async recordInstall(info: ConversationInfo): Promise<{ created: boolean; wasActive: boolean; record: ConversationRecord }> {
    const now = this.deps.clock.now().toISOString();
    const result = await this.deps.store.update((data) => {
      const existing = data.conversations.find((c) => c.id === info.id);
      if (!existing) {
        const record: ConversationRecord = { ...definedFields(info), id: info.id, active: true, installedAt: now, updatedAt: now };
        data.conversations.push(record);
        return { created: true, wasActive: false, record };
      }
      const wasActive = existing.active;
      Object.assign(existing, definedFields(info), { active: true, updatedAt: now });
      delete existing.removedAt;
      return { created: false, wasActive, record: existing };
    });
    this.deps.logger.info({ event: 'conversation.installed', conversationId: info.id, kind: info.kind, created: result.created }, 'bot added to a conversation');
    return { ...result, record: { ...result.record } };
  }

  /** The bot was removed: keep the record, marked inactive. */
  async recordRemoval(id: string): Promise<boolean> {
    const now = this.deps.clock.now().toISOString();
    const changed = await this.deps.store.update((data) => {
      const existing = data.conversations.find((c) => c.id === id);
      if (!existing || !existing.active) return false;
      existing.active = false;
      existing.removedAt = now;
      existing.updatedAt = now;
      return true;
    });
    if (changed) this.deps.logger.info({ event: 'conversation.removed', conversationId: id }, 'bot removed from a conversation');
    return changed;
  }

  /**
   * Any message shows where the bot is: store a conversation the bot never saw installed, or
   * refresh one whose details moved (e.g. a new regional serviceUrl). Writes only on change.
   */
  async observe(info: ConversationInfo): Promise<void> {
    const existing = this.get(info.id);
    if (existing && existing.active && TRACKED_FIELDS.every((f) => info[f] === undefined || existing[f] === info[f])) return;
    await this.recordInstall(info);
  }
}

function definedFields(info: ConversationInfo): Omit<ConversationInfo, 'id'> {
  const out: Record<string, unknown> = {};
  for (const field of TRACKED_FIELDS) if (info[field] !== undefined) out[field] = info[field];
  return out as Omit<ConversationInfo, 'id'>;
}
