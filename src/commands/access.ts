import { ALERT_VERBS, type AlertVerb } from '../alerts/verbs.js';
import { ONBOARDING_VERBS, type OnboardingVerb } from '../onboarding/verbs.js';
import { RULE_VERBS, type RuleVerb } from '../routing/verbs.js';
import type { Role } from '../store/schema.js';
import type { CommandName } from './catalog.js';

/**
 * Who may do what. SOC roles are ordered (viewer < analyst < admin); a customer-admin sits outside
 * that order and is limited to its own tenant. Every command and card verb has one row here.
 */
export interface AccessRule {
  /** The least SOC role, or 'anyone' (also users with no role at all). */
  readonly least: 'anyone' | 'viewer' | 'analyst' | 'admin';
  /** Whether a customer-admin may use it too (for their own tenant only). */
  readonly customerAdmin: boolean;
}

/** Card verbs with their own access rule (`command.run` is checked as the command it runs). */
export type CardVerb = AlertVerb | OnboardingVerb | RuleVerb;

export const ACCESS: Readonly<Record<CommandName | CardVerb, AccessRule>> = {
  help: { least: 'anyone', customerAdmin: true },
  whoami: { least: 'anyone', customerAdmin: true },
  tenants: { least: 'viewer', customerAdmin: true },
  alerts: { least: 'viewer', customerAdmin: false },
  alert: { least: 'viewer', customerAdmin: false },
  audit: { least: 'admin', customerAdmin: false },
  roles: { least: 'admin', customerAdmin: false },
  'role grant': { least: 'admin', customerAdmin: false },
  'role revoke': { least: 'admin', customerAdmin: false },
  'soc-channel': { least: 'admin', customerAdmin: false },
  channels: { least: 'viewer', customerAdmin: true },
  rules: { least: 'viewer', customerAdmin: true },
  link: { least: 'admin', customerAdmin: false },
  unlink: { least: 'admin', customerAdmin: false },
  'rule new': { least: 'admin', customerAdmin: false },
  'rule add': { least: 'admin', customerAdmin: false },
  'rule edit': { least: 'admin', customerAdmin: false },
  'rule remove': { least: 'admin', customerAdmin: false },
  'rule pause': { least: 'admin', customerAdmin: false },
  'rule resume': { least: 'admin', customerAdmin: false },
  'rule test': { least: 'admin', customerAdmin: false },
  [RULE_VERBS.save]: { least: 'admin', customerAdmin: false },
  [ALERT_VERBS.open]: { least: 'viewer', customerAdmin: false },
  [ALERT_VERBS.more]: { least: 'viewer', customerAdmin: false },
  [ALERT_VERBS.refresh]: { least: 'viewer', customerAdmin: false },
  [ALERT_VERBS.assign]: { least: 'analyst', customerAdmin: false },
  [ALERT_VERBS.status]: { least: 'analyst', customerAdmin: false },
  [ALERT_VERBS.classify]: { least: 'analyst', customerAdmin: false },
  [ALERT_VERBS.comment]: { least: 'analyst', customerAdmin: false },
  onboard: { least: 'admin', customerAdmin: false },
  consent: { least: 'admin', customerAdmin: true },
  status: { least: 'analyst', customerAdmin: false },
  offboard: { least: 'admin', customerAdmin: false },
  [ONBOARDING_VERBS.checklistDone]: { least: 'admin', customerAdmin: true },
  [ONBOARDING_VERBS.checklistHelp]: { least: 'admin', customerAdmin: true },
  [ONBOARDING_VERBS.consentRefresh]: { least: 'admin', customerAdmin: true },
  [ONBOARDING_VERBS.offboardConfirm]: { least: 'admin', customerAdmin: false },
  [ONBOARDING_VERBS.offboardCancel]: { least: 'admin', customerAdmin: false },
};

const SOC_RANK: Readonly<Record<Exclude<Role, 'customer-admin'>, number>> = { viewer: 1, analyst: 2, admin: 3 };

/** Whether a user holding `role` (or none) may use `action`. */
export function isAllowed(role: Role | undefined, action: CommandName | CardVerb): boolean {
  const rule = ACCESS[action];
  if (rule.least === 'anyone') return true;
  if (role === undefined) return false;
  if (role === 'customer-admin') return rule.customerAdmin;
  return SOC_RANK[role] >= SOC_RANK[rule.least];
}

/** The sentence a denied user reads: what they tried, what it needs, whom to ask. */
export function denialMessage(role: Role | undefined, action: CommandName | CardVerb): string {
  const rule = ACCESS[action];
  const needs = rule.least === 'anyone' ? 'no role' : `the ${rule.least} role${rule.customerAdmin ? ' (or customer-admin for your own tenant)' : ''}`;
  const yours = role ? `your role is ${role}` : 'you have no SOC Bridge role yet';
  return `You can't ${action.includes('.') ? `do "${action}"` : `use "${action}"`}: it needs ${needs}, and ${yours}. Ask a SOC Bridge admin (they can run "roles") if you need it. Nothing was changed.`;
}
