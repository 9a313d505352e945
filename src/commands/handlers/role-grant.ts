import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { notice, type Reply } from '../../chat/reply.js';

/** `role grant <user> <role> [tenant]`. */
export async function roleGrant({ command, actor, services }: HandlerContext<CommandOf<'role grant'>>): Promise<Reply> {
  const { user, role, tenant } = command;
  const change = await services.roles.grant({
    userId: user.objectId,
    role,
    ...(tenant ? { tenant } : {}),
    ...(user.displayName ? { displayName: user.displayName } : {}),
    by: actor,
  });
  const who = user.displayName ?? user.objectId;
  const scope = tenant ? ` for customer ${tenant}` : '';
  const before = change.previous ? ` (was ${change.previous.role}${change.previous.tenant ? ` for ${change.previous.tenant}` : ''})` : '';
  return notice({ tone: 'good', title: 'Role granted', text: `${who} is now ${role}${scope}${before}.` });
}
