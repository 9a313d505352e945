import { cardReply, notice, type Reply } from '../../chat/reply.js';
import { statsCard } from '../../stats/stats-views.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext, Services } from '../context.js';
import type { Actor } from '../../roles/actor.js';
import { STATS_PERIODS } from '../../stats/stats-window.js';
import type { TenantRecord } from '../../tenants/tenant-schema.js';

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
  const targets = allTargets(services, actor);
  if (targets.length === 0) return notice({ title: 'No connected customers', text: 'No customer tenant is connected yet, so there is nothing to count.' });
  const report = await services.stats.report(targets, command.period);
  return cardReply(
    'stats',
    statsCard(report, { scope: `all customers (${targets.length})`, perCustomer: true }),
    `Alert statistics for ${targets.length} customers: ${report.combined.total} alerts in ${report.window.label}${report.failures.length ? `, ${report.failures.length} not counted` : ''}`,
  );
}

/** The customers `stats all` counts: the connected ones the asker may see (a customer-admin's "all" is their own tenant). */
function allTargets(services: Services, actor: Actor): TenantRecord[] {
  const visible = new Set(services.tenants.visibleTo(actor).map((t) => t.tenantId));
  return services.tenants.connected().filter((t) => visible.has(t.tenantId)).sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/**
 * What the asker sees while many customers are read (`stats all` over 50 customers takes seconds):
 * the message is edited into the statistics card when they are in.
 */
export function statsInterim({ command, actor, services }: HandlerContext<CommandOf<'stats'>>): Reply | undefined {
  const label = STATS_PERIODS[command.period].label;
  if (command.tenant !== 'all') {
    const tenant = services.tenants.resolve(command.tenant, actor);
    return notice({ title: `Counting ${tenant.displayName}'s alerts…`, text: `Reading the alerts created in ${label} from Microsoft Defender. This message turns into the statistics when they are in.` });
  }
  const count = allTargets(services, actor).length;
  if (count === 0) return undefined;
  return notice({ title: `Counting alerts across ${count} customer${count === 1 ? '' : 's'}…`, text: `Reading the alerts each customer's Defender created in ${label}. This message turns into the statistics when every customer has answered (up to half a minute for many customers).` });
}
