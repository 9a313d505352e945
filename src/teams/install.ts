import type { TurnContext } from 'botbuilder';
import { commandButton, cardReply, type Reply } from '../chat/reply.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Logger } from '../log.js';
import { activityOf } from './render.js';
import { baseConversationId, conversationInfoFrom } from './activity.js';

/**
 * The bot was added to a team, group chat or personal chat: remember where, and say hello once
 * (Teams sends both installationUpdate and conversationUpdate for one install).
 */
export async function onInstalled(context: TurnContext, registry: ConversationRegistry, logger: Logger): Promise<void> {
  const info = conversationInfoFrom(context.activity);
  if (!info) {
    logger.warn({ event: 'teams.install_without_reference' }, 'install event without conversation id or serviceUrl; cannot store a reference');
    return;
  }
  const { wasActive } = await registry.recordInstall(info);
  if (wasActive) return;
  await context.sendActivity(activityOf(welcome(info.kind, info.teamName ?? info.title)));
}

/** The bot was removed: keep the record but mark it inactive, so nothing is posted there again. */
export async function onRemoved(context: TurnContext, registry: ConversationRegistry): Promise<void> {
  const id = context.activity.conversation?.id;
  if (id) await registry.recordRemoval(baseConversationId(id));
}

function welcome(kind: 'personal' | 'groupChat' | 'channel', place: string | undefined): Reply {
  const lines =
    kind === 'personal'
      ? [
          'SOC Bridge brings your customers\' Microsoft Defender alerts into Teams, so the SOC can see and act on them where it already works.',
          'Type "help" to see what you can do. "whoami" shows your Entra object id, which a SOC Bridge admin needs to give you a role.',
        ]
      : [
          `SOC Bridge was added${place ? ` to ${place}` : ''}. It brings customers' Microsoft Defender alerts into Teams.`,
          'Mention SOC Bridge followed by a command, for example "@SOC Bridge help". Private and shared channels are not supported: use a standard channel or a group chat.',
        ];
  return cardReply('welcome', { title: 'Hello from SOC Bridge', lines, buttons: [commandButton('Show commands', 'help')] }, 'Hello from SOC Bridge');
}
