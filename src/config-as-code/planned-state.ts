import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { LinkDirectory } from '../delivery/targets/target-kind.js';
import { UsageError } from '../errors.js';
import { conversationNamedAmong, placeNameOf } from '../routing/channel-links.js';
import { inScope } from '../routing/rule-service.js';
import { linkKeyOf, type ChannelLink, type TenantScope } from '../routing/store-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { matches } from '../tenants/tenant-registry.js';
import { nearest } from '../text/nearest.js';

/**
 * The customer tenants as they will be once a file is applied (handles renamed), which the rest of
 * the file names them by.
 */
export class PlannedTenants {
  constructor(readonly all: readonly TenantRecord[]) {}

  /** The tenant `ref` (handle, tenant id or domain) names; UsageError with the nearest handle otherwise. */
  resolve(ref: string): TenantRecord {
    const found = this.all.find((t) => matches(t, ref));
    if (found) return found;
    const hint = nearest(ref.toLowerCase(), this.all.map((t) => t.handle));
    const known = this.all.length > 0 ? ` Known tenants: ${this.all.slice(0, 10).map((t) => t.handle).join(', ')}${this.all.length > 10 ? ', …' : ''}.` : ' No customer tenants are set up yet.';
    throw new UsageError(`there is no customer tenant "${ref.slice(0, 80)}".${hint ? ` Did you mean "${hint}"?` : ''}${known}`);
  }

  /** The tenants a rule covers (offboarded ones never). */
  covered(scope: TenantScope): TenantRecord[] {
    return this.all.filter((t) => t.status !== 'offboarded' && inScope(scope, t.tenantId));
  }
}

/** The channel links as they will be once a file is applied: what its rules' `to:` is checked against. */
export class PlannedLinks implements LinkDirectory {
  private readonly keys: ReadonlySet<string>;
  private readonly conversations: ReadonlyMap<string, ConversationRecord>;

  constructor(
    private readonly links: readonly ChannelLink[],
    conversations: readonly ConversationRecord[],
  ) {
    this.keys = new Set(links.map((l) => linkKeyOf(l.conversationId, l.tenantId)));
    this.conversations = new Map(conversations.map((c) => [c.id, c]));
  }

  conversationNamed(ref: string): string {
    return conversationNamedAmong(ref, [...new Set(this.links.map((l) => l.conversationId))], this.conversations);
  }

  isLinked(conversationId: string, tenantId: string): boolean {
    return this.keys.has(linkKeyOf(conversationId, tenantId));
  }

  hasLinks(tenantId: string): boolean {
    return this.links.some((l) => l.tenantId === tenantId);
  }

  placeName(conversationId: string): string {
    return placeNameOf(this.conversations.get(conversationId), conversationId);
  }
}
