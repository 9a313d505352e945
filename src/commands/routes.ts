import { ACCESS } from '../roles/access.js';
import { ALERT_ACTION_ROUTES } from './actions/alert-actions.js';
import { INCIDENT_ACTION_ROUTES } from './actions/incident-actions.js';
import { ONBOARDING_ACTION_ROUTES } from './actions/onboarding-actions.js';
import { RULE_ACTION_ROUTES } from './actions/rule-save.js';
import type { ActionVerb } from './action-verbs.js';
import type { CommandName } from './catalog.js';
import type { CommandOf } from './command.js';
import { alert } from './handlers/alert.js';
import { alerts } from './handlers/alerts.js';
import { audit } from './handlers/audit.js';
import { channels } from './handlers/channels.js';
import { consent } from './handlers/consent.js';
import { help } from './handlers/help.js';
import { incident } from './handlers/incident.js';
import { incidents } from './handlers/incidents.js';
import { link } from './handlers/link.js';
import { offboard } from './handlers/offboard.js';
import { onboard } from './handlers/onboard.js';
import { roleGrant } from './handlers/role-grant.js';
import { roleRevoke } from './handlers/role-revoke.js';
import { roles } from './handlers/roles.js';
import { ruleAdd, ruleEdit, ruleNew, rulePause, ruleRemove, ruleResume, ruleTest } from './handlers/rule-change.js';
import { rules } from './handlers/rules.js';
import { socChannel } from './handlers/soc-channel.js';
import { stats, statsInterim } from './handlers/stats.js';
import { summary } from './handlers/summary.js';
import { status } from './handlers/status.js';
import { tenants } from './handlers/tenants.js';
import { unlink } from './handlers/unlink.js';
import { whoami } from './handlers/whoami.js';
import type { ActionRoute, CommandRoute } from './route.js';

/**
 * The route table for chat commands: each command's least role and its handler. The compiler
 * insists every command has a row; `help` lists only the rows the reader passes.
 */
export const COMMAND_ROUTES: { readonly [N in CommandName]: CommandRoute<CommandOf<N>> } = {
  help: { access: ACCESS.anyone, handle: help },
  whoami: { access: ACCESS.anyone, handle: whoami },
  tenants: { access: ACCESS.viewerOrCustomerAdmin, handle: tenants },
  alerts: { access: ACCESS.viewer, handle: alerts },
  alert: { access: ACCESS.viewer, handle: alert },
  stats: { access: ACCESS.viewerOrCustomerAdmin, handle: stats, interim: statsInterim },
  summary: { access: ACCESS.admin, handle: summary },
  incidents: { access: ACCESS.viewer, handle: incidents },
  incident: { access: ACCESS.viewer, handle: incident },
  audit: { access: ACCESS.admin, handle: audit },
  roles: { access: ACCESS.admin, handle: roles },
  'role grant': { access: ACCESS.admin, handle: roleGrant },
  'role revoke': { access: ACCESS.admin, handle: roleRevoke },
  'soc-channel': { access: ACCESS.admin, handle: socChannel },
  onboard: { access: ACCESS.admin, handle: onboard },
  consent: { access: ACCESS.adminOrCustomerAdmin, handle: consent },
  status: { access: ACCESS.analyst, handle: status },
  offboard: { access: ACCESS.admin, handle: offboard },
  link: { access: ACCESS.admin, handle: link },
  unlink: { access: ACCESS.admin, handle: unlink },
  channels: { access: ACCESS.viewerOrCustomerAdmin, handle: channels },
  rules: { access: ACCESS.viewerOrCustomerAdmin, handle: rules },
  'rule new': { access: ACCESS.admin, handle: ruleNew },
  'rule add': { access: ACCESS.admin, handle: ruleAdd },
  'rule edit': { access: ACCESS.admin, handle: ruleEdit },
  'rule remove': { access: ACCESS.admin, handle: ruleRemove },
  'rule pause': { access: ACCESS.admin, handle: rulePause },
  'rule resume': { access: ACCESS.admin, handle: ruleResume },
  'rule test': { access: ACCESS.admin, handle: ruleTest },
};

/**
 * The route table for card verbs (except `command.run`, which the pipeline dispatches as the
 * command it carries): each verb's least role, payload schema, delivery and handler.
 */
export const ACTION_ROUTES: { readonly [V in Exclude<ActionVerb, 'command.run'>]: ActionRoute<unknown> } = {
  ...ALERT_ACTION_ROUTES,
  ...INCIDENT_ACTION_ROUTES,
  ...ONBOARDING_ACTION_ROUTES,
  ...RULE_ACTION_ROUTES,
};
