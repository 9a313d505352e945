import { humanize, severityLabel, utc } from '../alerts/alert-views.js';
import type { CardColor, CommandButton } from '../cards/elements.js';
import type { ChannelsCardData, Choice, Fact, RuleFormCardData, RuleFormValues, RulesCardData } from '../cards/routing-cards.js';
import { commandButton } from '../chat/reply.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { healthLabel, type LinkView } from './channel-links.js';
import { DEFAULT_CONTENT, DEFAULT_RULE } from './matcher.js';
import { ALERT_CATEGORIES, DEFAULT_RULE_SEVERITIES, RULE_DETECTION_SOURCES, RULE_SERVICE_SOURCES, RULE_SEVERITIES } from './rule-vocabulary.js';
import type { NotificationRule, TenantScope } from './store-schema.js';
import { RULE_VERBS } from './verbs.js';

/** What a view needs to know about the reader and the world around the rules. */
export interface RuleViewContext {
  /** The tenants the reader may see (a customer-admin: only theirs). */
  readonly visibleTenants: readonly TenantRecord[];
  readonly placeName: (conversationId: string) => string;
  /** Whether the reader may change rules (buttons are shown only then). */
  readonly canChange: boolean;
  readonly emailAvailable: boolean;
  readonly emailReason: string;
}

const MODE_LABELS: Readonly<Record<NotificationRule['mode'], string>> = { teams: 'Teams', email: 'Email', both: 'Teams and email' };

export function rulesCard(rules: readonly NotificationRule[], ctx: RuleViewContext, scopeLabel: string, storedRuleCount: number): RulesCardData {
  const notes: RulesCardData['notes'] = [];
  const shown = storedRuleCount === 0 ? [DEFAULT_RULE] : rules;
  if (storedRuleCount === 0) notes.push({ color: 'default', text: 'No rules yet, so the built-in default applies: medium and higher alerts go to each tenant\'s linked channels. Adding a rule replaces it.' });
  else if (rules.length === 0) notes.push({ color: 'warning', text: `No rule covers ${scopeLabel}, so none of its alerts are delivered.` });
  if (storedRuleCount > 0 && rules.length > 0 && rules.every((r) => !r.enabled)) notes.push({ color: 'warning', text: 'Every rule shown is paused: nothing is delivered for these alerts.' });
  if (!ctx.emailAvailable && rules.some((r) => r.mode !== 'teams')) notes.push({ color: 'attention', text: `Some rules send email, but ${ctx.emailReason}` });
  return {
    title: `Notification rules${scopeLabel === 'all customers' ? '' : ` — ${scopeLabel}`}`,
    summary: storedRuleCount === 0 ? 'Built-in default rule' : `${rules.length} rule${rules.length === 1 ? '' : 's'}, ${rules.filter((r) => r.enabled).length} enabled`,
    notes,
    rules: shown.map((rule) => {
      const builtIn = rule === DEFAULT_RULE;
      const state: { label: string; color: CardColor } = builtIn ? { label: 'Built in', color: 'accent' } : rule.enabled ? { label: 'Enabled', color: 'good' } : { label: 'Paused', color: 'warning' };
      return {
        heading: builtIn ? rule.name : `${rule.name} (${rule.id})`,
        stateLabel: state.label,
        stateColor: state.color,
        facts: ruleFacts(rule, ctx, builtIn),
        buttons: builtIn || !ctx.canChange ? [] : ruleButtons(rule),
      };
    }),
    buttons: ctx.canChange ? [commandButton('New rule', 'rule new'), commandButton('Channels', 'channels')] : [commandButton('Channels', 'channels')],
  };
}

function ruleButtons(rule: NotificationRule): CommandButton[] {
  return [
    rule.enabled ? commandButton('Pause', `rule pause ${rule.id}`) : commandButton('Resume', `rule resume ${rule.id}`),
    commandButton('Send test', `rule test ${rule.id}`),
    commandButton('Edit', `rule edit ${rule.id}`),
  ];
}

/** The facts `rules` shows for one rule; also the details of "rule saved" replies. */
export function ruleFacts(rule: NotificationRule, ctx: RuleViewContext, builtIn = false): Fact[] {
  const facts: Fact[] = [
    { title: 'Tenants', value: describeScope(rule.tenants, ctx) },
    { title: 'Severity', value: rule.severities.length ? RULE_SEVERITIES.filter((s) => rule.severities.includes(s)).map(severityLabel).join(', ') || rule.severities.join(', ') : 'Any' },
    { title: 'Device groups', value: rule.deviceGroups.length ? rule.deviceGroups.join(', ') : 'All devices' },
    { title: 'Service sources', value: rule.serviceSources.length ? rule.serviceSources.map(humanize).join(', ') : 'Any' },
    { title: 'Detection sources', value: rule.detectionSources.length ? rule.detectionSources.map(humanize).join(', ') : 'Any' },
    { title: 'Categories', value: rule.categories.length ? rule.categories.join(', ') : 'Any' },
    ...(rule.titleContains ? [{ title: 'Title contains', value: `"${rule.titleContains}"` }] : []),
    { title: 'Sends to', value: describeTargets(rule, ctx) },
    { title: 'Mode', value: MODE_LABELS[rule.mode] },
    { title: 'Includes', value: describeContent(rule.content) },
  ];
  if (!builtIn) facts.push({ title: 'Created', value: `${rule.createdByName}, ${utc(rule.createdAt)}${rule.updatedByName ? ` · changed by ${rule.updatedByName}, ${utc(rule.updatedAt)}` : ''}` });
  return facts;
}

function describeScope(scope: TenantScope, ctx: RuleViewContext): string {
  if (scope.scope === 'all') return 'All customers, including new ones';
  const visible = new Map(ctx.visibleTenants.map((t) => [t.tenantId, t.handle]));
  const names = scope.tenantIds.flatMap((id) => visible.get(id) ?? []);
  const hidden = scope.tenantIds.length - names.length;
  const list = [names.join(', '), hidden > 0 ? `${hidden} other customer${hidden === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  return scope.scope === 'only' ? list : `All customers except ${list}`;
}

function describeTargets(rule: NotificationRule, ctx: RuleViewContext): string {
  const teams = [
    ...(rule.targets.linkedChannels ? ["each tenant's linked channels"] : []),
    ...rule.targets.channels.map((id) => ctx.placeName(id)),
  ];
  const parts = [
    teams.length ? `Teams: ${teams.join('; ')}${rule.mode === 'email' ? ' (not used: mode email)' : ''}` : '',
    rule.targets.emails.length ? `Email: ${rule.targets.emails.join(', ')}${rule.mode === 'teams' ? ' (not used: mode teams)' : ''}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || 'nothing';
}

function describeContent(content: NotificationRule['content']): string {
  const parts = [content.includeOrgName ? 'organization name' : '', content.includePortalLink ? 'tenant-specific portal link' : '', content.includeDeviceInfo ? 'device information' : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'the alert only';
}

export function channelsCard(views: readonly LinkView[], scopeLabel: string, canChange: boolean): ChannelsCardData {
  const broken = views.filter((v) => v.health !== 'active').length;
  const notes = views.length === 0 ? [`No conversation is linked to ${scopeLabel} yet. In a channel or group chat, an admin types "@SOC Bridge link <tenant>".`] : [];
  return {
    title: `Alert channels${scopeLabel === 'all customers' ? '' : ` — ${scopeLabel}`}`,
    summary: `${views.length} link${views.length === 1 ? '' : 's'}${broken ? `, ${broken} not working` : views.length ? ', all working' : ''}.`,
    notes,
    links: views.map((v) => ({
      place: v.place,
      tenant: v.tenant ? `${v.tenant.displayName} (${v.tenant.handle})` : v.link.tenantId,
      healthLabel: healthLabel(v.health),
      healthColor: v.health === 'active' ? 'good' : 'attention',
      facts: [
        ...(v.reason ? [{ title: 'Problem', value: v.reason }] : []),
        { title: 'Last delivery', value: v.lastDeliveryAt ? utc(v.lastDeliveryAt) : 'none recorded' },
        { title: 'Linked', value: `${v.link.linkedByName}, ${utc(v.link.linkedAt)}` },
        { title: 'Conversation id', value: v.link.conversationId },
      ],
      buttons: canChange && v.tenant ? [commandButton('Unlink', `unlink ${v.tenant.handle} ${v.link.conversationId}`)] : [],
    })),
  };
}

/** Form values of a stored rule, or of a new one (the defaults `rule add` uses). */
export function formValuesOf(rule: NotificationRule | undefined, linkedHere: string | undefined): RuleFormValues {
  const flag = (b: boolean) => (b ? 'true' : 'false');
  if (!rule) {
    return {
      name: '', tenantScope: 'all', tenants: '', severities: DEFAULT_RULE_SEVERITIES.join(','), deviceGroups: '', serviceSources: '', detectionSources: '', categories: '', title: '',
      includeOrgName: flag(DEFAULT_CONTENT.includeOrgName), includePortalLink: flag(DEFAULT_CONTENT.includePortalLink), includeDeviceInfo: flag(DEFAULT_CONTENT.includeDeviceInfo),
      linkedChannels: flag(linkedHere === undefined), channels: linkedHere ?? '', emails: '', mode: 'teams', enabled: 'true',
    };
  }
  return {
    name: rule.name,
    tenantScope: rule.tenants.scope,
    tenants: rule.tenants.scope === 'all' ? '' : rule.tenants.tenantIds.join(','),
    severities: rule.severities.join(','),
    deviceGroups: rule.deviceGroups.join(', '),
    serviceSources: rule.serviceSources.join(','),
    detectionSources: rule.detectionSources.join(','),
    categories: rule.categories.join(','),
    title: rule.titleContains ?? '',
    includeOrgName: flag(rule.content.includeOrgName),
    includePortalLink: flag(rule.content.includePortalLink),
    includeDeviceInfo: flag(rule.content.includeDeviceInfo),
    linkedChannels: flag(rule.targets.linkedChannels),
    channels: rule.targets.channels.join(','),
    emails: rule.targets.emails.join(', '),
    mode: rule.mode,
    enabled: flag(rule.enabled),
  };
}

export function ruleFormCard(args: {
  ruleId: string | undefined;
  values: RuleFormValues;
  error: string;
  tenants: readonly TenantRecord[];
  channels: readonly { id: string; name: string }[];
  emailAvailable: boolean;
  emailReason: string;
}): RuleFormCardData {
  const choice = (value: string, title = value): Choice => ({ title, value });
  return {
    title: args.ruleId ? `Edit rule ${args.ruleId}` : 'New notification rule',
    intro: `Choose which alerts the rule selects and where they go. Empty filters match any alert.${args.emailAvailable ? '' : ` Email is unavailable: ${args.emailReason}`}`,
    error: args.error,
    values: args.values,
    choices: {
      tenants: args.tenants.map((t) => choice(t.tenantId, `${t.displayName} (${t.handle})`)),
      severities: RULE_SEVERITIES.map((s) => choice(s, severityLabel(s))),
      serviceSources: RULE_SERVICE_SOURCES.map((s) => choice(s, humanize(s))),
      detectionSources: RULE_DETECTION_SOURCES.map((s) => choice(s, humanize(s))),
      categories: ALERT_CATEGORIES.map((c) => choice(c, humanize(c))),
      channels: args.channels.map((c) => choice(c.id, c.name)),
    },
    noChannels: args.channels.length === 0 ? 'No channel or group chat is linked yet, so only "each tenant\'s linked channels" and email are possible. Link one with "@SOC Bridge link <tenant>" there.' : '',
    save: [{ title: args.ruleId ? 'Save changes' : 'Create rule', actionData: { verb: RULE_VERBS.save, ruleId: args.ruleId ?? '' } }],
  };
}
