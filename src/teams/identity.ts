import type { TurnContext } from 'botbuilder';
import type { MentionedUser } from '../commands/input.js';
import type { Actor } from '../roles/actor.js';
import type { RoleService } from '../roles/role-service.js';
import { callerFrom, mentionEntitiesOf } from './activity.js';
import type { MemberDirectory } from './directory.js';

/** Who sent this activity, as SOC Bridge sees them (role included). */
export async function actorOf(context: TurnContext, roles: RoleService, directory: MemberDirectory): Promise<Actor> {
  const caller = callerFrom(context.activity);
  const looked = caller.chatUserId ? await directory.lookup(context, caller.chatUserId) : {};
  return roles.actorFor({
    objectId: caller.objectId ?? looked.objectId,
    displayName: caller.displayName,
    ...(looked.email ? { email: looked.email } : {}),
  });
}

/** The users @mentioned in the message, with Entra object ids looked up where Teams left them out. */
export async function mentionedUsersOf(context: TurnContext, directory: MemberDirectory): Promise<MentionedUser[]> {
  const users: MentionedUser[] = [];
  for (const entity of mentionEntitiesOf(context.activity)) {
    const mentioned = entity.mentioned ?? {};
    const displayName = mentioned.name ?? entity.text?.replace(/<\/?at>/g, '') ?? 'someone';
    let objectId = mentioned.aadObjectId;
    if (!objectId && mentioned.id) objectId = (await directory.lookup(context, mentioned.id)).objectId;
    users.push({ text: entity.text ?? `<at>${displayName}</at>`, displayName, ...(objectId ? { objectId: objectId.toLowerCase() } : {}) });
  }
  return users;
}
