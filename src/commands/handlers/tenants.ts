import { severityLabel, utc } from '../../alerts/alert-views.js';
import type { CardColor } from '../../cards/elements.js';
import type { TenantRecord, TenantStatus } from '../../tenants/tenant-schema.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, notice, type Reply } from '../../chat/reply.js';

const STATUS: Readonly<Record<TenantStatus, { label: string; color: CardColor }>> = {
  'pending-consent': { label: 'Waiting for consent', color: 'warning' },
  connected: { label: 'Connected', color: 'good' },
  'needs-attention': { label: 'Needs attention', color: 'attention' },
  offboarded: { label: 'Offboarded', color: 'default' },
};
const SEVERITY_ORDER = ['high', 'medium', 'low', 'informational', 'unknown'];

/** `tenants`: every customer the caller may see, with health and open alerts by severity. */
export async function tenants({ actor, services }: HandlerContext<CommandOf<'tenants'>>): Promise<Reply> {
  const visible = services.tenants.visibleTo(actor);
  if (visible.length === 0) {
    return notice({ title: 'No customer tenants yet', text: actor.role === 'customer-admin' ? 'Your tenant is not set up in SOC Bridge yet.' : 'No customer tenant is set up yet.' });
  }
  const rows = await Promise.all(visible.map(async (tenant) => ({ tenant, open: await openAlerts(tenant, services.alerts) })));
  const attention = rows.filter((r) => r.tenant.status !== 'connected').length;
  return cardReply(
    'tenants',
    {
      summary: `${visible.length} customer${visible.length === 1 ? '' : 's'}${attention ? `, ${attention} not fully connected` : ', all connected'}.`,
      tenants: rows.map(({ tenant, open }) => {
        const current = services.tenants.find(tenant.tenantId) ?? tenant;
        return {
          name: `${current.displayName} (${current.handle})`,
          statusLabel: STATUS[current.status].label,
          statusColor: STATUS[current.status].color,
          openAlerts: open,
          channels: services.links.summaryFor(current.tenantId),
          lastContact: current.lastSuccessAt ? utc(current.lastSuccessAt) : 'never',
          accessGuide: services.onboarding.accessGuideLine(current),
          trouble: current.lastError ? current.lastError.message : current.status === 'pending-consent' ? 'The customer admin has not granted consent yet.' : '',
        };
      }),
    },
    rows.map((r) => `${r.tenant.handle}: ${STATUS[r.tenant.status].label}, open ${r.open}`).join('; '),
  );
}

async function openAlerts(tenant: TenantRecord, alerts: HandlerContext<never>['services']['alerts']): Promise<string> {
  if (tenant.status !== 'connected' && tenant.status !== 'needs-attention') return '—';
  try {
    const counts = await alerts.openCounts(tenant);
    const parts = SEVERITY_ORDER.filter((s) => counts[s]).map((s) => `${counts[s]} ${severityLabel(s).toLowerCase()}`);
    return parts.length ? parts.join(' · ') : 'none';
  } catch (error) {
    await alerts.failed(tenant, error);
    return 'unavailable';
  }
}
