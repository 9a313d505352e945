import { incidentListCard } from '../../incidents/incident-views.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, notice, type Reply } from '../../chat/reply.js';

/** `incidents <tenant|all> [options]`: newest activity first, one customer or all of them. */
export async function incidents({ command, actor, services }: HandlerContext<CommandOf<'incidents'>>): Promise<Reply> {
  const all = command.tenant === 'all';
  const targets = all ? services.tenants.connected() : [services.tenants.resolve(command.tenant, actor)];
  if (targets.length === 0) return notice({ title: 'No connected customers', text: 'No customer tenant is connected yet, so there are no incidents to show.' });
  const only = targets[0];
  if (!all && only && only.status !== 'connected' && only.status !== 'needs-attention') {
    return notice({ tone: 'warning', title: `${only.displayName} is not connected`, text: `Its status is ${only.status}; incidents can be read once the customer admin has granted consent.` });
  }
  const listing = await services.incidents.list({ tenants: targets, filter: command.filter, top: command.top, actor });
  const data = incidentListCard({
    scope: all ? `all customers (${targets.length})` : `${only?.displayName ?? command.tenant}`,
    tenantArg: all ? 'all' : (only?.handle ?? command.tenant),
    filter: command.filter,
    top: command.top,
    listing,
    showCustomer: all,
    page: 1,
  });
  return cardReply('incident-list', data, `${listing.items.length} incident${listing.items.length === 1 ? '' : 's'}${listing.failures.length ? `, ${listing.failures.length} customer(s) unavailable` : ''}`);
}
