import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { commandButton, notice, type Reply } from '../../chat/reply.js';

/** `unlink <tenant> [conversation-id]`: the tenant's alerts stop going to this (or that) conversation. */
export async function unlink({ command, actor, place, services }: HandlerContext<CommandOf<'unlink'>>): Promise<Reply> {
  const conversationId = command.conversationId ?? place.conversationId;
  const tenant = services.tenants.resolve(command.tenant, actor);
  await services.links.unlink(conversationId, tenant, actor);
  const where = services.links.placeName(conversationId);
  const naming = services.rules.rulesNaming(conversationId);
  return notice({
    tone: 'good',
    title: `Unlinked from ${tenant.displayName}`,
    text: `${where} no longer receives ${tenant.displayName}'s alerts. Cards already posted stay.${
      naming.length ? ` ${naming.map((r) => `${r.name} (${r.id})`).join(', ')} still name${naming.length === 1 ? 's' : ''} this conversation, for the customers it remains linked to.` : ''
    }`,
    buttons: [commandButton('Channels', 'channels')],
  });
}
