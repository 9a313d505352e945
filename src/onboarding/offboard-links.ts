import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantLifecycleListener } from '../tenants/tenant-lifecycle.js';

/** What offboarding needs from the channel links (routing's ChannelLinks). */
export interface TenantLinks {
  linksOf(tenantId: string): readonly { readonly conversationId: string }[];
  unlink(conversationId: string, tenant: TenantRecord, actor: Actor): Promise<void>;
  placeName(conversationId: string): string;
}

/** Offboarding removes every channel link of the tenant, so no alert card goes anywhere for it. */
export function unlinkChannelsOnOffboard(links: TenantLinks): TenantLifecycleListener {
  return {
    offboarded: async (tenant, by) => {
      const linked = links.linksOf(tenant.tenantId);
      const names: string[] = [];
      for (const link of linked) {
        names.push(links.placeName(link.conversationId));
        await links.unlink(link.conversationId, tenant, by);
      }
      return [names.length ? `Channel link${names.length === 1 ? '' : 's'} removed: ${names.join('; ')}.` : 'It had no linked channels.'];
    },
  };
}
