import type { Reply } from '../chat/reply.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import type { Collection, Storage } from '../store/storage.js';
import { SETTINGS, type Settings } from './settings-schema.js';

/**
 * Operational notices for the SOC itself (a customer consented, a channel broke, a customer admin
 * asked for help) go to one conversation an admin chose with `soc-channel`. Without one, they are
 * logged, and the caller's own reply carries what matters.
 */
export class SocNotifier {
  private readonly settings: Collection<Settings>;

  constructor(private readonly deps: { storage: Storage; conversations: ConversationRegistry; messenger: Messenger; logger: Logger }) {
    this.settings = deps.storage.collection(SETTINGS);
  }

  /** The SOC conversation, if one is set and the bot is still in it. */
  socConversationId(): string | undefined {
    const id = this.settings.get('global')?.socConversationId;
    return id && this.deps.conversations.get(id)?.active ? id : undefined;
  }

  async setSocConversation(conversationId: string): Promise<void> {
    await this.settings.write((draft) => draft.put({ ...draft.get('global'), id: 'global', socConversationId: conversationId }));
  }

  /** Posts `reply` to the SOC conversation; returns whether it went out. Never throws. */
  async notify(reply: Reply, event: string): Promise<boolean> {
    const id = this.socConversationId();
    const conversation = id ? this.deps.conversations.get(id) : undefined;
    if (!conversation) {
      this.deps.logger.warn({ event: 'soc.notice_unsent', notice: event }, 'no SOC channel is set (use "soc-channel" there); notice only logged');
      return false;
    }
    try {
      await this.deps.messenger.send(conversation, reply);
      return true;
    } catch (error) {
      this.deps.logger.warn({ event: 'soc.notice_failed', notice: event, err: (error as Error).message }, 'could not post a notice to the SOC channel');
      return false;
    }
  }
}
