import type { Clock } from '../clock.js';
import { ConflictError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Collection, Storage } from '../store/storage.js';
import { ROLE_ASSIGNMENTS, type Role, type RoleAssignment } from './role-schema.js';
import type { Actor } from './actor.js';

export interface RoleHolder {
  readonly userId: string;
  readonly role: Role;
  readonly tenant?: string;
  readonly displayName?: string;
  readonly grantedBy: string;
  readonly grantedAt?: string;
  readonly bootstrap: boolean;
}

export interface RoleChange {
  readonly previous: RoleHolder | undefined;
  readonly current: RoleHolder | undefined;
}

/** Stored roles plus the bootstrap admins from configuration. */
export class RoleService {
  private readonly bootstrapAdmins: ReadonlySet<string>;
  private readonly assignments: Collection<RoleAssignment>;

  constructor(
    private readonly deps: { storage: Storage; clock: Clock; logger: Logger; bootstrapAdminIds: readonly string[] },
  ) {
    this.bootstrapAdmins = new Set(deps.bootstrapAdminIds.map((id) => id.toLowerCase()));
    this.assignments = deps.storage.collection(ROLE_ASSIGNMENTS);
  }

  /** Who this Teams user is to SOC Bridge. */
  actorFor(user: { objectId: string | undefined; displayName: string; email?: string }): Actor {
    const userId = user.objectId?.toLowerCase();
    const holder = userId ? this.holderOf(userId) : undefined;
    return {
      userId,
      displayName: user.displayName,
      ...(user.email ? { email: user.email } : {}),
      role: holder?.role,
      ...(holder?.tenant ? { tenant: holder.tenant } : {}),
      bootstrap: holder?.bootstrap ?? false,
    };
  }

  holderOf(userId: string): RoleHolder | undefined {
    const id = userId.toLowerCase();
    if (this.bootstrapAdmins.has(id)) return { userId: id, role: 'admin', grantedBy: 'SOC_ADMIN_IDS', bootstrap: true };
    const stored = this.assignments.get(id);
    return stored ? toHolder(stored) : undefined;
  }

  /** Everyone with a role, bootstrap admins first, then by role and name. */
  list(): RoleHolder[] {
    const stored = this.assignments.all().filter((r) => !this.bootstrapAdmins.has(r.userId)).map(toHolder);
    const bootstrap = [...this.bootstrapAdmins].map((userId) => ({ userId, role: 'admin' as const, grantedBy: 'SOC_ADMIN_IDS', bootstrap: true }));
    const order: Record<Role, number> = { admin: 0, analyst: 1, viewer: 2, 'customer-admin': 3 };
    return [...bootstrap, ...stored.sort((a, b) => order[a.role] - order[b.role] || (a.displayName ?? a.userId).localeCompare(b.displayName ?? b.userId))];
  }

  /** Gives `userId` a role (replacing any other). Bootstrap admins cannot be changed here. */
  async grant(args: { userId: string; displayName?: string; role: Role; tenant?: string; by: Actor }): Promise<RoleChange> {
    const userId = args.userId.toLowerCase();
    this.refuseBootstrap(userId, 'change the role of');
    const assignment: RoleAssignment = {
      userId,
      role: args.role,
      ...(args.tenant ? { tenant: args.tenant } : {}),
      ...(args.displayName ? { displayName: args.displayName } : {}),
      grantedBy: args.by.userId ?? args.by.displayName,
      grantedAt: this.deps.clock.now().toISOString(),
    };
    const previous = await this.assignments.write((draft) => {
      const before = draft.get(userId);
      if (before && before.role === 'admin' && args.role !== 'admin') this.refuseLastAdmin(draft.all(), userId);
      const displayName = assignment.displayName ?? before?.displayName;
      draft.put({ ...assignment, ...(displayName ? { displayName } : {}) });
      return before;
    });
    this.deps.logger.info({ event: 'role.granted', userId, role: args.role, tenant: args.tenant, by: args.by.userId }, 'role granted');
    return { previous: previous ? toHolder(previous) : undefined, current: this.holderOf(userId) };
  }

  /** Removes `userId`'s stored role. */
  async revoke(args: { userId: string; by: Actor }): Promise<RoleChange> {
    const userId = args.userId.toLowerCase();
    this.refuseBootstrap(userId, 'revoke');
    const previous = await this.assignments.write((draft) => {
      const before = draft.get(userId);
      if (!before) return undefined;
      if (before.role === 'admin') this.refuseLastAdmin(draft.all(), userId);
      draft.delete(userId);
      return before;
    });
    if (previous) this.deps.logger.info({ event: 'role.revoked', userId, role: previous.role, by: args.by.userId }, 'role revoked');
    return { previous: previous ? toHolder(previous) : undefined, current: undefined };
  }

  private refuseBootstrap(userId: string, verb: string): void {
    if (this.bootstrapAdmins.has(userId)) {
      throw new ConflictError(`I can't ${verb} ${userId}: they are a bootstrap admin from the SOC_ADMIN_IDS setting. Change that setting instead.`);
    }
  }

  /** Without bootstrap admins, the last stored admin must not lock everyone out. */
  private refuseLastAdmin(roles: readonly RoleAssignment[], leaving: string): void {
    if (this.bootstrapAdmins.size > 0) return;
    const others = roles.filter((r) => r.role === 'admin' && r.userId !== leaving);
    if (others.length === 0) throw new ConflictError('That would leave SOC Bridge without any admin. Grant someone else the admin role first.');
  }
}

function toHolder(r: RoleAssignment): RoleHolder {
  return {
    userId: r.userId,
    role: r.role,
    ...(r.tenant ? { tenant: r.tenant } : {}),
    ...(r.displayName ? { displayName: r.displayName } : {}),
    grantedBy: r.grantedBy,
    grantedAt: r.grantedAt,
    bootstrap: false,
  };
}
