/**
 * Every chat command: its words, usage, one-line summary and examples. `help` is built from this
 * list, the grammar matches against it, and the manifest's command menu mirrors it.
 */
export interface CommandSpec {
  /** The command's words as typed, e.g. `role grant`. */
  readonly name: CommandName;
  readonly usage: string;
  readonly summary: string;
  readonly examples: readonly string[];
}

export const COMMAND_NAMES = ['help', 'whoami', 'tenants', 'alerts', 'alert', 'audit', 'roles', 'role grant', 'role revoke', 'soc-channel'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'help',
    usage: 'help [command]',
    summary: 'Shows the commands you can use, or the details of one.',
    examples: ['help', 'help role grant'],
  },
  {
    name: 'whoami',
    usage: 'whoami',
    summary: 'Shows your Teams identity, Entra object id and SOC Bridge role.',
    examples: ['whoami'],
  },
  {
    name: 'tenants',
    usage: 'tenants',
    summary: 'Lists customer tenants: status, open alerts by severity, last successful contact, and any trouble.',
    examples: ['tenants'],
  },
  {
    name: 'alerts',
    usage: 'alerts <tenant|all> [severity:high,medium] [status:new,inProgress|any] [source:endpoint] [since:24h|7d] [top:N]',
    summary: 'Lists Defender alerts, newest first (open ones unless you ask for a status). "all" asks every connected customer at once.',
    examples: ['alerts contoso severity:high', 'alerts all since:24h top:20', 'alerts fabrikam status:any source:identity'],
  },
  {
    name: 'alert',
    usage: 'alert <tenant> <alert-id>',
    summary: 'Opens one alert with its devices, users, techniques and links, and buttons to assign, set status, classify and comment.',
    examples: ['alert contoso da638512345678901234_-1234567'],
  },
  {
    name: 'audit',
    usage: 'audit [tenant] [top:N]',
    summary: 'Shows who changed which alert, when, with the values before and after.',
    examples: ['audit', 'audit contoso top:30'],
  },
  {
    name: 'roles',
    usage: 'roles',
    summary: 'Lists who holds which SOC Bridge role.',
    examples: ['roles'],
  },
  {
    name: 'role grant',
    usage: 'role grant <@user|object-id> <admin|analyst|viewer|customer-admin> [tenant]',
    summary: 'Gives a user a role; customer-admin needs the customer tenant it is limited to.',
    examples: ['role grant @Megan Bowen analyst', 'role grant 3f2a…c91 customer-admin contoso'],
  },
  {
    name: 'soc-channel',
    usage: 'soc-channel',
    summary: "Makes this conversation the SOC's own channel for operational notices: consent progress, broken alert channels, customer requests for help.",
    examples: ['soc-channel'],
  },
  {
    name: 'role revoke',
    usage: 'role revoke <@user|object-id>',
    summary: "Removes a user's role.",
    examples: ['role revoke @Megan Bowen'],
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) throw new Error(`no spec for command ${name}`);
  return spec;
}
