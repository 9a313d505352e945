import { ConflictError } from '../../errors.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { notice, type Reply } from '../../chat/reply.js';

/**
 * `role grant <user> <role> [tenant]`. A customer-admin's tenant must exist now and is stored by
 * its handle, so a typo is refused (with the nearest tenant) instead of waiting to take effect
 * when some customer of that name is onboarded later.
 */
export async function roleGrant({ command, actor, services }: HandlerContext<CommandOf<'role grant'>>): Promise<Reply> {
  const { user, role } = command;
  const tenant = command.tenant ? services.tenants.resolve(command.tenant, actor) : undefined;
  if (tenant?.status === 'offboarded') {
    throw new ConflictError(`${tenant.displayName} (${tenant.handle}) was offboarded; onboard it again before giving anyone the customer-admin role for it.`);
  }
  const change = await services.roles.grant({
    userId: user.objectId,
    role,
    ...(tenant ? { tenant: tenant.handle } : {}),
    ...(user.displayName ? { displayName: user.displayName } : {}),
    by: actor,
  });
  const who = user.displayName ?? user.objectId;
  const scope = tenant ? ` for customer ${tenant.handle}` : '';
  const before = change.previous ? ` (was ${change.previous.role}${change.previous.tenant ? ` for ${change.previous.tenant}` : ''})` : '';
  return notice({ tone: 'good', title: 'Role granted', text: `${who} is now ${role}${scope}${before}.` });
}
