import type { RoleHolder } from '../../roles/role-service.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, notice, type Reply } from '../../chat/reply.js';

/** `roles`: who holds which role. */
export async function roles({ services }: HandlerContext<CommandOf<'roles'>>): Promise<Reply> {
  const holders = services.roles.list();
  if (holders.length === 0) {
    return notice({ title: 'No roles yet', text: 'Nobody holds a SOC Bridge role. Set SOC_ADMIN_IDS to bootstrap the first admin.' });
  }
  return cardReply(
    'roles',
    {
      summary: `${holders.length} user${holders.length === 1 ? '' : 's'} with a role.`,
      holders: holders.map((h) => ({
        name: h.displayName ? `${h.displayName} (${h.userId})` : h.userId,
        role: h.role,
        scope: h.tenant ? `customer ${h.tenant}` : h.role === 'customer-admin' ? '' : 'all customers',
        grantedBy: h.bootstrap ? 'configuration (SOC_ADMIN_IDS)' : describeGrantor(h, holders),
        grantedAt: h.grantedAt ? `on ${h.grantedAt.slice(0, 10)}` : '',
      })),
    },
    holders.map((h) => `${h.displayName ?? h.userId}: ${h.role}`).join('; '),
  );
}

function describeGrantor(holder: RoleHolder, all: readonly RoleHolder[]): string {
  const grantor = all.find((h) => h.userId === holder.grantedBy);
  return grantor?.displayName ?? holder.grantedBy;
}
