import { cardReply, notice, type Reply } from '../../chat/reply.js';
import { statsCard } from '../../stats/stats-views.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';

/** `stats <tenant|all> [since:…]`: charts and response times of the alerts created in the period. */
export async function stats({ command, actor, services }: HandlerContext<CommandOf<'stats'>>): Promise<Reply> {
  const all = command.tenant === 'all';
  if (!all) {
    const tenant = services.tenants.resolve(command.tenant, actor);
    if (tenant.status !== 'connected' && tenant.status !== 'needs-attention') {
      return notice({ tone: 'warning', title: `${tenant.displayName} is not connected`, text: `Its status is ${tenant.status}; its alerts can be counted once the customer admin has granted consent.` });
    }
    const report = await services.stats.report([tenant], command.period);
    return cardReply('stats', statsCard(report, { scope: tenant.displayName, perCustomer: false }), `Alert statistics for ${tenant.displayName}: ${report.combined.total} alerts in ${report.window.label}`);
  }
  // A customer-admin's "all" is their own tenant: they see no other customer.
  const visible = new Set(services.tenants.visibleTo(actor).map((t) => t.tenantId));
  const targets = services.tenants.connected().filter((t) => visible.has(t.tenantId)).sort((a, b) => a.displayName.localeCompare(b.displayName));
  if (targets.length === 0) return notice({ title: 'No connected customers', text: 'No customer tenant is connected yet, so there is nothing to count.' });
  const report = await services.stats.report(targets, command.period);
  return cardReply(
    'stats',
    statsCard(report, { scope: `all customers (${targets.length})`, perCustomer: true }),
    `Alert statistics for ${targets.length} customers: ${report.combined.total} alerts in ${report.window.label}${report.failures.length ? `, ${report.failures.length} not counted` : ''}`,
  );
}
