import type { Role } from './role-schema.js';

/**
 * Who may do something. SOC roles are ordered (viewer < analyst < admin); a customer-admin sits
 * outside that order and is limited to its own tenant. The route table gives every command and
 * card verb one of these rules.
 */
export interface AccessRule {
  /** The least SOC role, or 'anyone' (also users with no role at all). */
  readonly least: 'anyone' | 'viewer' | 'analyst' | 'admin';
  /** Whether a customer-admin may use it too (for their own tenant only). */
  readonly customerAdmin: boolean;
}

/** The rules the route table is written with. */
export const ACCESS = {
  anyone: { least: 'anyone', customerAdmin: true },
  viewer: { least: 'viewer', customerAdmin: false },
  viewerOrCustomerAdmin: { least: 'viewer', customerAdmin: true },
  analyst: { least: 'analyst', customerAdmin: false },
  admin: { least: 'admin', customerAdmin: false },
  adminOrCustomerAdmin: { least: 'admin', customerAdmin: true },
} as const satisfies Record<string, AccessRule>;

const SOC_RANK: Readonly<Record<Exclude<Role, 'customer-admin'>, number>> = { viewer: 1, analyst: 2, admin: 3 };

/** Whether a user holding `role` (or none) passes `rule`. */
export function isAllowed(role: Role | undefined, rule: AccessRule): boolean {
  if (rule.least === 'anyone') return true;
  if (role === undefined) return false;
  if (role === 'customer-admin') return rule.customerAdmin;
  return SOC_RANK[role] >= SOC_RANK[rule.least];
}

/** The sentence a denied user reads: what they tried (`action`, a command or a card verb), what it needs, whom to ask. */
export function denialMessage(role: Role | undefined, action: string, rule: AccessRule): string {
  const needs = rule.least === 'anyone' ? 'no role' : `the ${rule.least} role${rule.customerAdmin ? ' (or customer-admin for your own tenant)' : ''}`;
  const yours = role ? `your role is ${role}` : 'you have no SOC Bridge role yet';
  return `You can't ${action.includes('.') ? `do "${action}"` : `use "${action}"`}: it needs ${needs}, and ${yours}. Ask a SOC Bridge admin (they can run "roles") if you need it. Nothing was changed.`;
}
