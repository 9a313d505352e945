import { UsageError } from '../errors.js';
import { ROLES, type Role } from '../roles/role-schema.js';
import { parseAlertOptions } from './alert-options.js';
import { parseIncidentOptions } from './incident-options.js';
import { INCIDENT_ID_PATTERN } from '../defender/incident.js';
import { COMMANDS, COMMAND_NAMES, commandSpec, type CommandName } from './catalog.js';
import type { Command, CommandOf } from './command.js';
import type { UserRef } from '../roles/actor.js';
import { tokenize, type CommandInput, type Token } from './input.js';
import { nearest } from '../text/nearest.js';
import { onboardingParsers } from './onboarding-args.js';
import { routingParsers } from './routing-args.js';
import { GUID_PATTERN as GUID } from '../text/ids.js';
import { DEFAULT_STATS_PERIOD, parseStatsPeriod } from '../stats/stats-window.js';
import { parseSummaryArgs } from './summary-args.js';

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly kind: 'unknown'; readonly input: string; readonly suggestion?: CommandName }
  | { readonly ok: false; readonly kind: 'usage'; readonly command: CommandName; readonly message: string };

const TENANT_REF = /^[a-z0-9][a-z0-9.-]{0,252}$/i;
/** Graph alert ids: letters, digits and a little punctuation (e.g. `da637551227677560813_-961444813`). */
const ALERT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Longest command names first, so `role grant` wins over a hypothetical `role`. */
const BY_LENGTH = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);

/** Turns a chat message into a typed command, or says precisely what is wrong with it. */
export function parseCommand(input: CommandInput): ParseResult {
  const tokens = tokenize(input);
  if (tokens.length === 0) return { ok: true, command: { name: 'help' } };
  const words = tokens.map((t) => (t.kind === 'word' ? t.value.toLowerCase() : ''));
  const spec = BY_LENGTH.find((s) => s.name.split(' ').every((w, i) => words[i] === w));
  if (!spec) {
    const typed = words.slice(0, 2).join(' ').trim();
    const suggestion = nearest(typed, COMMAND_NAMES) ?? nearest(words[0] ?? '', COMMAND_NAMES);
    return { ok: false, kind: 'unknown', input: input.text.trim().slice(0, 200), ...(suggestion ? { suggestion } : {}) };
  }
  const args = tokens.slice(spec.name.split(' ').length);
  try {
    return { ok: true, command: ARGUMENTS[spec.name](args) };
  } catch (error) {
    if (error instanceof UsageError) return { ok: false, kind: 'usage', command: spec.name, message: error.userMessage };
    throw error;
  }
}

type ArgumentParsers = { readonly [N in CommandName]: (args: readonly Token[]) => CommandOf<N> };

const ARGUMENTS: ArgumentParsers = {
  help: (args) => {
    if (args.length === 0) return { name: 'help' };
    const topic = args.map(wordOf).join(' ').toLowerCase();
    const match = COMMAND_NAMES.find((n) => n === topic) ?? nearest(topic, COMMAND_NAMES);
    if (!match) throw new UsageError(`There is no command "${topic}". Type "help" to see them all.`);
    return { name: 'help', topic: match };
  },
  whoami: (args) => noArguments('whoami', args),
  tenants: (args) => noArguments('tenants', args),
  alerts: (args) => {
    const [first, ...rest] = args;
    if (!first) throw new UsageError(`Say which customer, or "all": ${commandSpec('alerts').usage}`);
    const target = wordOf(first);
    if (target.includes(':')) throw new UsageError(`Name the customer (or "all") before the options, e.g. "alerts all ${target}".`);
    const { filter, top } = parseAlertOptions(rest.map(wordOf));
    return { name: 'alerts', tenant: target.toLowerCase() === 'all' ? 'all' : tenantOf(first), filter, top };
  },
  alert: (args) => {
    const [tenantToken, idToken, ...extra] = args;
    if (!tenantToken || !idToken || extra.length > 0) throw new UsageError(`Give the customer and the alert id: ${commandSpec('alert').usage}`);
    const alertId = wordOf(idToken);
    if (!ALERT_ID.test(alertId)) throw new UsageError(`"${alertId.slice(0, 60)}" is not an alert id. Copy it from an alert card or the Defender portal.`);
    return { name: 'alert', tenant: tenantOf(tenantToken), alertId };
  },
  stats: (args) => {
    const [first, ...rest] = args;
    if (!first) throw new UsageError(`Say which customer, or "all": ${commandSpec('stats').usage}`);
    const target = wordOf(first);
    if (target.includes(':')) throw new UsageError(`Name the customer (or "all") before the period, e.g. "stats all ${target}".`);
    if (rest.length > 1) throw new UsageError(`"stats" takes one customer (or "all") and at most one period: ${commandSpec('stats').usage}`);
    const option = rest[0] ? wordOf(rest[0]) : undefined;
    if (option !== undefined && !option.toLowerCase().startsWith('since:')) throw new UsageError(`"${option.slice(0, 60)}" is not an option of stats. Give the period as since:24h, since:7d or since:30d.`);
    const period = option === undefined ? DEFAULT_STATS_PERIOD : parseStatsPeriod(option.slice('since:'.length));
    return { name: 'stats', tenant: target.toLowerCase() === 'all' ? 'all' : tenantOf(first), period };
  },
  summary: (args) => parseSummaryArgs(args.map(wordOf), (word) => tenantOf({ kind: 'word', value: word })),
  incidents: (args) => {
    const [first, ...rest] = args;
    if (!first) throw new UsageError(`Say which customer, or "all": ${commandSpec('incidents').usage}`);
    const target = wordOf(first);
    if (target.includes(':')) throw new UsageError(`Name the customer (or "all") before the options, e.g. "incidents all ${target}".`);
    const { filter, top } = parseIncidentOptions(rest.map(wordOf));
    return { name: 'incidents', tenant: target.toLowerCase() === 'all' ? 'all' : tenantOf(first), filter, top };
  },
  incident: (args) => {
    const [tenantToken, idToken, ...extra] = args;
    if (!tenantToken || !idToken || extra.length > 0) throw new UsageError(`Give the customer and the incident id: ${commandSpec('incident').usage}`);
    const incidentId = wordOf(idToken).replace(/^#/, '');
    if (!INCIDENT_ID_PATTERN.test(incidentId)) throw new UsageError(`"${incidentId.slice(0, 60)}" is not an incident id. It is the number on the incident card, in "incidents" or in the Defender portal (e.g. 2041).`);
    return { name: 'incident', tenant: tenantOf(tenantToken), incidentId };
  },
  audit: (args) => {
    const options = args.map(wordOf);
    const tenantWord = options[0] && !options[0].includes(':') ? options.shift() : undefined;
    const { top } = parseAlertOptions(options, ['top']);
    return { name: 'audit', ...(tenantWord ? { tenant: tenantOf({ kind: 'word', value: tenantWord }) } : {}), top: options.length > 0 ? top : 20 };
  },
  roles: (args) => noArguments('roles', args),
  'soc-channel': (args) => noArguments('soc-channel', args),
  'role grant': (args) => {
    const [userToken, roleToken, tenantToken, ...extra] = args;
    const usage = commandSpec('role grant').usage;
    if (!userToken || !roleToken) throw new UsageError(`Say whom and which role: ${usage}`);
    if (extra.length > 0) throw new UsageError(`Too many arguments after the tenant: ${usage}`);
    const user = userOf(userToken);
    const role = roleOf(roleToken);
    if (role === 'customer-admin') {
      if (!tenantToken) throw new UsageError(`A customer-admin is limited to one customer tenant: add it, e.g. "role grant ${describe(userToken)} customer-admin contoso".`);
      return { name: 'role grant', user, role, tenant: tenantOf(tenantToken) };
    }
    if (tenantToken) throw new UsageError(`Only the customer-admin role takes a tenant; ${role} covers every customer.`);
    return { name: 'role grant', user, role };
  },
  ...onboardingParsers({ wordOf, tenantOf, userOf }),
  ...routingParsers({ wordOf, tenantOf }),
  'role revoke': (args) => {
    const [userToken, ...extra] = args;
    if (!userToken || extra.length > 0) throw new UsageError(`Name exactly one user: ${commandSpec('role revoke').usage}`);
    return { name: 'role revoke', user: userOf(userToken) };
  },
};

function noArguments<N extends 'whoami' | 'roles' | 'tenants' | 'soc-channel'>(name: N, args: readonly Token[]): CommandOf<N> {
  if (args.length > 0) throw new UsageError(`"${name}" takes no arguments.`);
  return { name } as CommandOf<N>;
}

function wordOf(token: Token): string {
  return token.kind === 'word' ? token.value : token.user.displayName;
}

function describe(token: Token): string {
  return token.kind === 'word' ? token.value : `@${token.user.displayName}`;
}

function userOf(token: Token): UserRef {
  if (token.kind === 'mention') {
    if (!token.user.objectId) {
      throw new UsageError(`I could not look up the Entra object id of @${token.user.displayName}. Use their object id instead (they can find it with "whoami").`);
    }
    return { objectId: token.user.objectId.toLowerCase(), displayName: token.user.displayName };
  }
  if (!GUID.test(token.value)) {
    throw new UsageError(`"${token.value.slice(0, 60)}" is not a user: @mention them or give their Entra object id (a GUID; they can find it with "whoami").`);
  }
  return { objectId: token.value.toLowerCase() };
}

function roleOf(token: Token): Role {
  const value = wordOf(token).toLowerCase();
  const role = ROLES.find((r) => r === value);
  if (!role) throw new UsageError(`"${value.slice(0, 40)}" is not a role. Roles: ${ROLES.join(', ')}.`);
  return role;
}

function tenantOf(token: Token): string {
  const value = wordOf(token).toLowerCase();
  if (!TENANT_REF.test(value)) {
    throw new UsageError(`"${value.slice(0, 60)}" is not a tenant: give its handle (e.g. contoso), its tenant id or its domain.`);
  }
  return value;
}
