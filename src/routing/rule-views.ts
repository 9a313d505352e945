import { humanize, severityLabel, utc } from '../alerts/alert-views.js';
import type { CardColor, CommandButton } from '../cards/elements.js';
import type { ChannelsCardData, Choice, Fact, RuleFormCardData, RuleFormValues, RulesCardData } from '../cards/routing-cards.js';
import { commandButton } from '../chat/reply.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { TargetHealthView, TargetViewContext } from '../delivery/targets/target-kind.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { healthLabel, type LinkView } from './channel-links.js';
import { DEFAULT_CONTENT, DEFAULT_RULE } from './matcher.js';
import { kindsNamed, kindsUsed } from './rule-targets.js';
import { modeWord } from './rule-syntax.js';
import { ALERT_CATEGORIES, DEFAULT_RULE_SEVERITIES, RULE_DETECTION_SOURCES, RULE_SERVICE_SOURCES, RULE_SEVERITIES } from './rule-vocabulary.js';
import { durationWord } from './escalation-syntax.js';
import type { NotificationRule, RuleEscalation, TenantScope } from './store-schema.js';
import { RULE_VERBS } from './verbs.js';

/** What a view needs to know about the reader and the world around the rules. */
export interface RuleViewContext {
  /** The tenants the reader may see (a customer-admin: only theirs). */
  readonly visibleTenants: readonly TenantRecord[];
  readonly placeName: (conversationId: string) => string;
  /** Whether the reader may change rules (buttons are shown only then). */
  readonly canChange: boolean;
  readonly targets: TargetRegistry;
  readonly healthOf: TargetViewContext['healthOf'];
}

/** "Teams", "Teams and email", "Teams, email and webhook": the kinds a rule delivers to. */
function kindsLabel(registry: TargetRegistry, keys: readonly string[]): string {
  const words = keys.map((key, i) => {
    const kind = registry.get(key)?.kind;
    return (i === 0 ? kind?.title : kind?.noun) ?? key;
  });
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** Kinds some rule delivers to that cannot deliver here, with why. */
function unavailableKinds(registry: TargetRegistry, rules: readonly NotificationRule[]): { noun: string; reason: string }[] {
  return registry.entries
    .filter((e) => !e.built.availability.available && rules.some((r) => kindsUsed(registry, r).includes(e.kind.key)))
    .map((e) => ({ noun: e.kind.noun, reason: e.built.availability.reason }));
}

export function rulesCard(rules: readonly NotificationRule[], ctx: RuleViewContext, scopeLabel: string, storedRuleCount: number): RulesCardData {
  const notes: RulesCardData['notes'] = [];
  const shown = storedRuleCount === 0 ? [DEFAULT_RULE] : rules;
  if (storedRuleCount === 0) notes.push({ color: 'default', text: 'No rules yet, so the built-in default applies: medium and higher alerts go to each tenant\'s linked channels. Adding a rule replaces it.' });
  else if (rules.length === 0) notes.push({ color: 'warning', text: `No rule covers ${scopeLabel}, so none of its alerts are delivered.` });
  if (storedRuleCount > 0 && rules.length > 0 && rules.every((r) => !r.enabled)) notes.push({ color: 'warning', text: 'Every rule shown is paused: nothing is delivered for these alerts.' });
  for (const kind of unavailableKinds(ctx.targets, rules)) notes.push({ color: 'attention', text: `Some rules send ${kind.noun}, but ${kind.reason}` });
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
    { title: 'Mode', value: kindsLabel(ctx.targets, kindsUsed(ctx.targets, rule)) },
    { title: 'Includes', value: describeContent(rule.content) },
    ...(rule.escalation ? [{ title: 'Escalation', value: describeEscalation(rule.escalation, ctx) }] : []),
    { title: 'Grouping', value: describeGrouping(rule) },
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
  const used = kindsUsed(ctx.targets, rule);
  const parts = kindsNamed(ctx.targets, rule.targets).map((key) => {
    const entry = ctx.targets.get(key);
    const refs = rule.targets.filter((r) => r.kind === key);
    const text = entry ? entry.built.rules.describe(refs, ctx) : refs.map((r) => r.value).join(', ');
    return `${entry?.kind.title ?? key}: ${text}${used.includes(key) ? '' : ` (not used: mode ${modeWord(rule.mode ?? [])})`}`;
  });
  return parts.join(' · ') || 'nothing';
}

/** "Still new and unowned after 15m, then 1h: mentions Megan Bowen in the card's thread". */
export function describeEscalation(escalation: RuleEscalation, ctx: Pick<RuleViewContext, 'placeName'>): string {
  const after = escalation.afterMinutes.map(durationWord).join(', then ');
  const who = escalation.mention.length ? `mentions ${escalation.mention.map((m) => m.name).join(', ')}` : 'mentions nobody';
  const where = escalation.channel ? `in ${ctx.placeName(escalation.channel)}` : "in the card's thread";
  return `Still new and unowned after ${after}: a follow-up ${where}, ${who}`;
}

function describeGrouping(rule: Pick<NotificationRule, 'grouping' | 'notify'>): string {
  if (rule.grouping === 'alert') return 'One card per alert (group:alert)';
  return rule.notify === 'first' ? 'One card per incident, its first alert only (group:incident notify:first)' : 'One card per incident, later alerts in its thread (group:incident)';
}

function describeContent(content: NotificationRule['content']): string {
  const parts = [content.includeOrgName ? 'organization name' : '', content.includePortalLink ? 'tenant-specific portal link' : '', content.includeDeviceInfo ? 'device information' : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'the alert only';
}

/** A target that exists by configuration (a webhook endpoint), as `channels` lists it after the links. */
export interface ConfiguredTargetView {
  readonly label: string;
  readonly detail: string;
  readonly health: TargetHealthView | undefined;
}

export function channelsCard(views: readonly LinkView[], scopeLabel: string, canChange: boolean, configured: readonly ConfiguredTargetView[] = []): ChannelsCardData {
  const broken = views.filter((v) => v.health !== 'active').length;
  const failing = configured.filter((c) => c.health?.failing).length;
  const notes = views.length === 0 ? [`No conversation is linked to ${scopeLabel} yet. In a channel or group chat, an admin types "@SOC Bridge link <tenant>".`] : [];
  const others = configured.length === 0 ? '' : ` ${configured.length} other target${configured.length === 1 ? '' : 's'}${failing ? `, ${failing} failing` : ''}.`;
  return {
    title: `Alert channels${scopeLabel === 'all customers' ? '' : ` — ${scopeLabel}`}`,
    summary: `${views.length} link${views.length === 1 ? '' : 's'}${broken ? `, ${broken} not working` : views.length ? ', all working' : ''}.${others}`,
    notes,
    links: [
      ...views.map((v) => ({
        place: v.place,
        tenant: v.tenant ? `${v.tenant.displayName} (${v.tenant.handle})` : v.link.tenantId,
        healthLabel: healthLabel(v.health),
        healthColor: v.health === 'active' ? ('good' as const) : ('attention' as const),
        facts: [
          ...(v.reason ? [{ title: 'Problem', value: v.reason }] : []),
          { title: 'Last delivery', value: v.lastDeliveryAt ? utc(v.lastDeliveryAt) : 'none recorded' },
          { title: 'Linked', value: `${v.link.linkedByName}, ${utc(v.link.linkedAt)}` },
          { title: 'Conversation id', value: v.link.conversationId },
        ],
        buttons: canChange && v.tenant ? [commandButton('Unlink', `unlink ${v.tenant.handle} ${v.link.conversationId}`)] : [],
      })),
      ...configured.map((c) => ({
        place: c.label,
        tenant: 'Every customer its rules select',
        healthLabel: c.health?.failing ? 'failing' : 'active',
        healthColor: c.health?.failing ? ('attention' as const) : ('good' as const),
        facts: [
          ...(c.health?.failing ? [{ title: 'Problem', value: `${c.health.failing.reason} (since ${utc(c.health.failing.at)}). Fix the receiving side; the next delivery that gets through clears this.` }] : []),
          { title: 'Last delivery', value: c.health?.lastSentAt ? utc(c.health.lastSentAt) : 'none recorded' },
          { title: 'Sends', value: c.detail },
        ],
        buttons: [],
      })),
    ],
  };
}

/** Form values of a stored rule, or of a new one (the defaults `rule add` uses). */
export function formValuesOf(rule: NotificationRule | undefined, linkedHere: string | undefined, registry: TargetRegistry): RuleFormValues {
  const flag = (b: boolean) => (b ? 'true' : 'false');
  if (!rule) {
    return {
      name: '', tenantScope: 'all', tenants: '', severities: DEFAULT_RULE_SEVERITIES.join(','), deviceGroups: '', serviceSources: '', detectionSources: '', categories: '', title: '',
      includeOrgName: flag(DEFAULT_CONTENT.includeOrgName), includePortalLink: flag(DEFAULT_CONTENT.includePortalLink), includeDeviceInfo: flag(DEFAULT_CONTENT.includeDeviceInfo),
      linkedChannels: flag(linkedHere === undefined), channels: linkedHere ?? '', emails: '', mode: '', enabled: 'true',
    };
  }
  // The form has its own fields for Teams; every other kind's references go in one text box, as typed after `to:`.
  const teams = rule.targets.filter((r) => r.kind === FORM_TEAMS_KIND);
  const others = rule.targets.filter((r) => r.kind !== FORM_TEAMS_KIND);
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
    linkedChannels: flag(teams.some((r) => r.value === FORM_LINKED_CHANNELS)),
    channels: teams.filter((r) => r.value !== FORM_LINKED_CHANNELS).map((r) => r.value).join(','),
    emails: others.map((r) => registry.get(r.kind)?.kind.word(r) ?? r.value).join(', '),
    mode: (rule.mode ?? []).join(','),
    enabled: flag(rule.enabled),
  };
}

/** The rule form's Teams fields: "each customer's linked channels" and specific channels. */
export const FORM_TEAMS_KIND = 'teams';
export const FORM_LINKED_CHANNELS = 'channels';

export function ruleFormCard(args: {
  ruleId: string | undefined;
  values: RuleFormValues;
  error: string;
  tenants: readonly TenantRecord[];
  channels: readonly { id: string; name: string }[];
  targets: TargetRegistry;
}): RuleFormCardData {
  const choice = (value: string, title = value): Choice => ({ title, value });
  const unavailable = args.targets.entries.filter((e) => !e.built.availability.available).map((e) => ` ${e.kind.title} is unavailable: ${e.built.availability.reason}`);
  return {
    title: args.ruleId ? `Edit rule ${args.ruleId}` : 'New notification rule',
    intro: `Choose which alerts the rule selects and where they go. Empty filters match any alert.${unavailable.join('')}`,
    error: args.error,
    values: args.values,
    choices: {
      tenants: args.tenants.map((t) => choice(t.tenantId, `${t.displayName} (${t.handle})`)),
      severities: RULE_SEVERITIES.map((s) => choice(s, severityLabel(s))),
      serviceSources: RULE_SERVICE_SOURCES.map((s) => choice(s, humanize(s))),
      detectionSources: RULE_DETECTION_SOURCES.map((s) => choice(s, humanize(s))),
      categories: ALERT_CATEGORIES.map((c) => choice(c, humanize(c))),
      channels: args.channels.map((c) => choice(c.id, c.name)),
      modes: args.targets.entries.map((e) => choice(e.kind.key, e.kind.title)),
    },
    noChannels: args.channels.length === 0 ? 'No channel or group chat is linked yet, so only "each tenant\'s linked channels" and the other targets are possible. Link one with "@SOC Bridge link <tenant>" there.' : '',
    save: [{ title: args.ruleId ? 'Save changes' : 'Create rule', actionData: { verb: RULE_VERBS.save, ruleId: args.ruleId ?? '' } }],
  };
}
