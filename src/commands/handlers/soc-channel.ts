import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { notice, type Reply } from '../../chat/reply.js';

/** `soc-channel`: operational notices go to this conversation from now on. */
export async function socChannel({ place, services }: HandlerContext<CommandOf<'soc-channel'>>): Promise<Reply> {
  await services.soc.setSocConversation(place.conversationId);
  return notice({
    tone: 'good',
    title: 'SOC channel set',
    text: 'SOC Bridge will post operational notices here: customer consent progress, alert channels that stopped working, and customer admins asking for help.',
  });
}
