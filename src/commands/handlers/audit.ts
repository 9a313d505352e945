import { describeStateChange, utc } from '../../alerts/alert-views.js';
import { describeChange } from '../../config-as-code/changes.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, notice, type Reply } from '../../chat/reply.js';

/** `audit [tenant] [top:N]`: who did what to which alert or incident (and what `config apply` changed), newest first. */
export async function audit({ command, actor, services }: HandlerContext<CommandOf<'audit'>>): Promise<Reply> {
  const tenant = command.tenant ? services.tenants.resolve(command.tenant, actor) : undefined;
  const entries = await services.audit.recent({ ...(tenant ? { tenantId: tenant.tenantId } : {}), top: command.top });
  const scope = tenant ? ` for ${tenant.displayName}` : '';
  if (entries.length === 0) return notice({ title: 'Audit trail', text: `Nothing has been changed${scope} yet.` });
  return cardReply(
    'audit',
    {
      summary: `The ${entries.length} most recent change${entries.length === 1 ? '' : 's'}${scope}, newest first.`,
      entries: entries.map((e) => ({
        headline: `${e.actorName} — ${e.action}${e.tenantHandle ? ` — ${e.tenantHandle}` : ''}${e.outcome === 'done' ? '' : ` (${e.outcome})`}`,
        change: e.config
          ? `${e.config.label}: ${describeChange(e.config)}${e.detail ? ` (${e.detail})` : ''}`
          : `${e.subject === 'incident' ? 'Incident ' : ''}${e.alertTitle ? `"${e.alertTitle}" ` : ''}(${e.alertId}): ${describeStateChange(e.before, e.after)}${e.detail ? `. ${e.detail}` : ''}`,
        when: utc(e.at),
      })),
    },
    `${entries.length} audit entries`,
  );
}
