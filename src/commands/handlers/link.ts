import { UsageError } from '../../errors.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { commandButton, notice, type Reply } from '../../chat/reply.js';

/** `link <tenant>`: this channel or group chat receives the tenant's alerts from now on. */
export async function link({ command, actor, place, services }: HandlerContext<CommandOf<'link'>>): Promise<Reply> {
  if (place.kind === 'personal') {
    throw new UsageError('Alerts go to Teams channels and group chats, not personal chats: type "@SOC Bridge link <tenant>" in the channel (or group chat) that should receive them.');
  }
  const conversation = services.conversations.get(place.conversationId);
  if (!conversation) throw new UsageError('SOC Bridge has no record of this conversation yet. Remove the app from it and add it again, then link.');
  const tenant = services.tenants.resolve(command.tenant, actor);
  // Alerts are posted proactively; where Teams refuses that (private/shared channels), say so now.
  await services.reach.ensureReachable(conversation);
  const { created, repaired } = await services.links.link(conversation, tenant, actor);
  // Teams names a channel only on some events; until its name is known, the user is standing in it.
  const unnamedChannel = conversation.kind === 'channel' && !conversation.channelName && conversation.teamsChannelId !== conversation.teamId;
  const where = unnamedChannel ? 'This channel' : services.links.placeName(conversation.id);
  const delivering = deliveringRules(services, tenant.tenantId, conversation.id);
  const pending = tenant.status === 'pending-consent' ? ` Alerts start once ${tenant.displayName}'s admin has granted consent.` : '';
  const repairNote = repaired ? ' Broken links of this conversation are marked working again.' : '';
  return notice({
    tone: delivering.length ? 'good' : 'warning',
    title: created ? `Linked to ${tenant.displayName}` : `Already linked to ${tenant.displayName}`,
    text: `${where} ${created ? 'now receives' : 'receives'} ${tenant.displayName}'s alerts as the rules decide.${repairNote}${pending} ${
      delivering.length ? `Delivering here: ${delivering.join('; ')}.` : 'No enabled rule sends this customer\'s alerts to linked channels yet; add one, e.g. rule add "Linked channels" severity:medium+ to:channels.'
    }`,
    buttons: [commandButton('Channels', 'channels'), commandButton(`Rules for ${tenant.handle}`, `rules ${tenant.handle}`)],
  });
}

/** The rules (or the default) that would send this tenant's alerts to this conversation. */
function deliveringRules(services: HandlerContext<never>['services'], tenantId: string, conversationId: string): string[] {
  const rules = services.rules.list();
  if (rules.length === 0) return ['the built-in default rule (medium and higher)'];
  return services.rules.rulesReaching(conversationId, tenantId).map((r) => `${r.name} (${r.id})`);
}
