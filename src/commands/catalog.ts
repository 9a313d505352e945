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

export const COMMAND_NAMES = ['help', 'whoami', 'tenants', 'alerts', 'alert', 'incidents', 'incident', 'stats', 'summary', 'audit', 'roles', 'role grant', 'role revoke', 'soc-channel', 'onboard', 'consent', 'status', 'offboard', 'link', 'unlink', 'channels', 'rules', 'rule new', 'rule add', 'rule edit', 'rule remove', 'rule pause', 'rule resume', 'rule test'] as const;
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
    name: 'stats',
    usage: 'stats <tenant|all> [since:24h|7d|30d]',
    summary: 'Charts of the alerts created in the period (default 7d): by severity, by day, by source, top categories and devices, open and resolved, and MTTA and MTTR (median and p90); "all" adds a row per customer.',
    examples: ['stats contoso', 'stats all since:30d', 'stats fabrikam since:24h'],
  },
  {
    name: 'summary',
    usage: 'summary <daily HH:MM [timezone]|off> [tenant…]',
    summary:
      'Sets a daily summary for this channel at a local time (timezone: an IANA name, default UTC). In a channel linked to customers: a morning card per customer with the last 24 hours and its open high and medium alerts. In the SOC channel: a shift hand-over across customers. "off" stops it.',
    examples: ['summary daily 07:30 Europe/Berlin', 'summary daily 08:00 America/New_York contoso', 'summary off'],
  },
  {
    name: 'incidents',
    usage: 'incidents <tenant|all> [severity:high,medium] [status:active,inProgress|any] [since:24h|7d] [assigned:me|none|<upn>] [top:N]',
    summary: 'Lists Defender XDR incidents (correlated alerts), newest activity first (open ones unless you ask for a status). "all" asks every connected customer at once.',
    examples: ['incidents contoso', 'incidents all severity:high assigned:none', 'incidents fabrikam status:resolved since:7d'],
  },
  {
    name: 'incident',
    usage: 'incident <tenant> <incident-id>',
    summary: 'Opens one incident: severity, status, owner, verdict, its alerts by severity (each opens its card), devices, users and activity, with buttons to assign, set status, classify, comment and tag.',
    examples: ['incident contoso 2041'],
  },
  {
    name: 'link',
    usage: 'link <tenant>',
    summary: "Makes this channel or group chat an alert destination for a customer (a channel may serve several customers, a customer several channels). Linking again repairs a broken link.",
    examples: ['link contoso'],
  },
  {
    name: 'unlink',
    usage: 'unlink <tenant> [conversation-id]',
    summary: "Stops a customer's alerts coming here (or to the conversation named by its id, as \"channels\" shows it).",
    examples: ['unlink contoso', 'unlink contoso 19:abc@thread.tacv2'],
  },
  {
    name: 'channels',
    usage: 'channels [tenant]',
    summary: 'Lists every link between a conversation and a customer, with its health: active, bot removed, or broken and why.',
    examples: ['channels', 'channels contoso'],
  },
  {
    name: 'rules',
    usage: 'rules [tenant]',
    summary: 'Lists the notification rules (which alerts go where), or those covering one customer. With no rules, medium and higher alerts go to each customer\'s linked channels.',
    examples: ['rules', 'rules contoso'],
  },
  {
    name: 'rule new',
    usage: 'rule new',
    summary: 'Opens the rule form: the same fields as "rule add", with choices.',
    examples: ['rule new'],
  },
  {
    name: 'rule add',
    usage:
      'rule add <name> [tenants:all|<t1>,<t2>] [except:<t1>,…] [severity:high,medium|medium+|any] [groups:<group>,…] [source:endpoint,…] [detection:antivirus,…] [category:Ransomware,…] [title:<text>] [to:channels,here,<channel>,<email>,webhook:<name>,…] [mode:teams,email,webhook|both|all] [group:incident|alert] [notify:every|first] [include:org,link,devices|none] [enabled:no]',
    summary:
      'Adds a notification rule. Defaults: every customer, severity medium and higher, any device group, source, detection source and category, to:channels (each customer\'s linked channels), every kind of target named (mode: limits it), include org,link,devices. Quote values with spaces.',
    examples: [
      'rule add "Contoso high" tenants:contoso severity:high to:channels,soc@mssp.example',
      'rule add "Servers everywhere" except:northwind severity:medium+ groups:Servers,"Finance laptops" to:here',
      'rule add Ransomware category:Ransomware title:ransom to:oncall@mssp.example mode:email include:org,link',
      'rule add "To the SIEM" severity:any to:webhook:siem',
    ],
  },
  {
    name: 'rule edit',
    usage: 'rule edit <id> [key:value…]',
    summary: 'Changes a rule: each key given (as in "rule add", plus name:) replaces that field; "any" clears a filter. Without keys, opens the rule form.',
    examples: ['rule edit r7kq severity:high,medium', 'rule edit r7kq to:channels mode:teams', 'rule edit r7kq'],
  },
  {
    name: 'rule remove',
    usage: 'rule remove <id>',
    summary: 'Deletes a rule.',
    examples: ['rule remove r7kq'],
  },
  {
    name: 'rule pause',
    usage: 'rule pause <id>',
    summary: 'Stops a rule delivering until it is resumed.',
    examples: ['rule pause r7kq'],
  },
  {
    name: 'rule resume',
    usage: 'rule resume <id>',
    summary: 'Turns a paused rule back on.',
    examples: ['rule resume r7kq'],
  },
  {
    name: 'rule test',
    usage: 'rule test <id>',
    summary: 'Sends a clearly marked SAMPLE alert through the rule to every target it reaches now (once each), like Defender\'s "Send test email", and says what happened to each (or that it is still being tried).',
    examples: ['rule test r7kq'],
  },
  {
    name: 'audit',
    usage: 'audit [tenant] [top:N]',
    summary: 'Shows who changed which alert or incident, when, with the values before and after.',
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
  {
    name: 'onboard',
    usage: 'onboard <tenant-id|domain> <display name…> [admin:@user] [access:read|readwrite]',
    summary:
      "Adds a customer waiting for consent and posts the consent card here for its admin; the named admin becomes customer-admin for it. access:read asks for reading alerts only (default: analysts may also change them).",
    examples: ['onboard tailspintoys.com Tailspin Toys admin:@Isaiah Langer', 'onboard 3f2a…c91 "Wide World Importers" access:read'],
  },
  {
    name: 'consent',
    usage: 'consent <tenant> [access:read|readwrite]',
    summary: 'Posts a fresh consent card here; links sent earlier stop working.',
    examples: ['consent tailspin', 'consent tailspin access:read'],
  },
  {
    name: 'status',
    usage: 'status <tenant>',
    summary: 'Diagnoses one customer: consent, a fresh token and its permissions, last poll and error, Graph headroom, access-guide progress.',
    examples: ['status contoso'],
  },
  {
    name: 'offboard',
    usage: 'offboard <tenant>',
    summary: 'Stops serving a customer after you confirm: no more polling or channel alerts; the audit trail is kept.',
    examples: ['offboard tailspin'],
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) throw new Error(`no spec for command ${name}`);
  return spec;
}
