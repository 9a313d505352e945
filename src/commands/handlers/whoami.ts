import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, type Reply } from '../../chat/reply.js';

/** `whoami`: the caller's Teams identity, Entra object id and role. */
export async function whoami({ actor, place }: HandlerContext<CommandOf<'whoami'>>): Promise<Reply> {
  const role = actor.role ? `${actor.role}${actor.tenant ? ` (customer ${actor.tenant})` : ''}${actor.bootstrap ? ' — bootstrap admin from SOC_ADMIN_IDS' : ''}` : 'none';
  const facts = [
    { title: 'Entra object id', value: actor.userId ?? 'not sent by Teams' },
    { title: 'Email / UPN', value: actor.email ?? 'not known' },
    { title: 'Teams user id', value: place.chatUserId ?? 'not known' },
    { title: 'Teams tenant', value: place.teamsTenantId ?? 'not known' },
    { title: 'SOC Bridge role', value: role },
  ];
  return cardReply('whoami', { displayName: actor.displayName, facts }, `${actor.displayName}: ${actor.userId ?? 'no object id'}, role ${role}`);
}
