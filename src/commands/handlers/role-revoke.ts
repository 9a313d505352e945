import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { notice, type Reply } from '../../chat/reply.js';

/** `role revoke <user>`. */
export async function roleRevoke({ command, actor, services }: HandlerContext<CommandOf<'role revoke'>>): Promise<Reply> {
  const who = command.user.displayName ?? command.user.objectId;
  const change = await services.roles.revoke({ userId: command.user.objectId, by: actor });
  if (!change.previous) return notice({ title: 'Nothing to revoke', text: `${who} has no SOC Bridge role.` });
  return notice({ tone: 'good', title: 'Role revoked', text: `${who} no longer has the ${change.previous.role} role.` });
}
