import { z } from 'zod/v4';
import type { RuleFormValues } from '../../cards/routing-cards.js';
import type { ActionContext, Services } from '../context.js';
import type { ActionRoute } from '../route.js';
import { ACCESS } from '../../roles/access.js';
import { notice, type Reply } from '../../chat/reply.js';
import { UsageError, isSocBridgeError } from '../../errors.js';
import { ruleFormReply, ruleSavedReply } from '../handlers/rule-replies.js';
import { modeOf, targetsOf, type RuleInput } from '../../routing/rule-syntax.js';
import { FORM_LINKED_CHANNELS, FORM_TEAMS_KIND } from '../../routing/rule-views.js';
import { categoriesOf, detectionSourcesOf, deviceGroupsOf, ruleNameOf, serviceSourcesOf, severitiesOf, splitList, titleTextOf } from '../../routing/rule-vocabulary.js';
import { RULE_VERBS } from '../../routing/verbs.js';

/**
 * The rule form's submission. Teams sends every input as a string (multi-selects comma-separated,
 * toggles "true"/"false"); an input left empty may be missing altogether.
 */
const text = (max: number) => z.string().max(max).optional().default('');
const flag = z.enum(['true', 'false']).optional();
export const RuleFormPayload = z.object({
  ruleId: z.string().regex(/^(r[a-z0-9]{1,12})?$/).optional().default(''),
  name: text(200),
  tenantScope: z.enum(['all', 'only', 'except']).optional().default('all'),
  tenants: text(20_000),
  severities: text(200),
  deviceGroups: text(6000),
  serviceSources: text(2000),
  detectionSources: text(4000),
  categories: text(2000),
  title: text(400),
  includeOrgName: flag,
  includePortalLink: flag,
  includeDeviceInfo: flag,
  linkedChannels: flag,
  channels: text(20_000),
  /** Every target but Teams channels, as typed after `to:`; named `emails` since forms posted earlier send it so. */
  emails: text(6000),
  /** Kinds of target (a multi-select); forms posted earlier send teams, email or both. */
  mode: text(200),
  enabled: flag,
});
export type RuleFormSubmission = z.infer<typeof RuleFormPayload>;

/** The submission as the same checked input `rule add` produces; refused with the field and the reason. */
export function ruleInputOfForm(form: RuleFormSubmission): { name: string; input: RuleInput } {
  const list = (value: string) => value.trim() !== '';
  const tenantRefs = splitList(form.tenants);
  if (form.tenantScope !== 'all' && tenantRefs.length === 0) {
    throw new UsageError(`Customers: "${form.tenantScope === 'only' ? 'only the customers chosen' : 'all except those chosen'}" needs at least one chosen customer.`);
  }
  const teams = [
    ...(form.linkedChannels === 'true' ? [{ kind: FORM_TEAMS_KIND, value: FORM_LINKED_CHANNELS }] : []),
    ...splitList(form.channels).map((value) => ({ kind: FORM_TEAMS_KIND, value })),
  ];
  const others = targetsOf(form.emails.split(/[;\s]+/).filter((e) => e !== '').join(','), 'Email addresses and other targets');
  if (teams.length === 0 && others.length === 0) {
    throw new UsageError('Send to: choose at least one target: each customer\'s linked channels, a specific channel, an email address or another target.');
  }
  const input: RuleInput = {
    tenants: form.tenantScope === 'all' ? { scope: 'all' } : { scope: form.tenantScope, refs: tenantRefs },
    severities: list(form.severities) ? severitiesOf(form.severities, 'Alert severity') : [],
    deviceGroups: list(form.deviceGroups) ? deviceGroupsOf(form.deviceGroups, 'Device groups') : [],
    serviceSources: list(form.serviceSources) ? serviceSourcesOf(form.serviceSources, 'Service sources') : [],
    detectionSources: list(form.detectionSources) ? detectionSourcesOf(form.detectionSources, 'Detection sources') : [],
    categories: list(form.categories) ? categoriesOf(form.categories, 'Categories') : [],
    titleContains: form.title.trim() === '' ? null : titleTextOf(form.title, 'Alert title contains'),
    content: { includeOrgName: form.includeOrgName === 'true', includePortalLink: form.includePortalLink === 'true', includeDeviceInfo: form.includeDeviceInfo === 'true' },
    targets: [...teams, ...others],
    mode: form.mode.trim() === '' ? [] : modeOf(form.mode, 'Deliver only by'),
    enabled: form.enabled !== 'false',
  };
  return { name: ruleNameOf(form.name), input };
}

/** What the form shows again after a refusal: what was submitted. */
function valuesOf(form: RuleFormSubmission): RuleFormValues {
  return {
    name: form.name, tenantScope: form.tenantScope, tenants: form.tenants, severities: form.severities, deviceGroups: form.deviceGroups,
    serviceSources: form.serviceSources, detectionSources: form.detectionSources, categories: form.categories, title: form.title,
    includeOrgName: form.includeOrgName ?? 'false', includePortalLink: form.includePortalLink ?? 'false', includeDeviceInfo: form.includeDeviceInfo ?? 'false',
    linkedChannels: form.linkedChannels ?? 'false', channels: form.channels, emails: form.emails, mode: form.mode, enabled: form.enabled ?? 'true',
  };
}

/**
 * The rule form's Save. The answer replaces the form for the person who clicked: the saved rule,
 * or the form again with their values and the exact reason.
 */
export const RULE_ACTION_ROUTES = {
  [RULE_VERBS.save]: {
    access: ACCESS.admin,
    payload: RuleFormPayload,
    whenInvalid: 'Open the form again with "rule new".',
    delivery: 'clicker',
    interim: () => notice({ title: 'Saving…', text: 'This card updates in a moment.' }),
    handle: saveRule,
  } satisfies ActionRoute<RuleFormSubmission>,
};

async function saveRule(ctx: ActionContext<RuleFormSubmission>): Promise<Reply> {
  const form = ctx.payload;
  const rule = form.ruleId ? safeGet(ctx.services, form.ruleId) : undefined;
  try {
    const { name, input } = ruleInputOfForm(form);
    const change = { actor: ctx.actor, place: ctx.place };
    const saved = form.ruleId ? await ctx.services.rules.edit(form.ruleId, { ...input, name }, change) : await ctx.services.rules.add(name, input, change);
    return ruleSavedReply(saved.rule, saved.warnings, ctx, form.ruleId ? 'changed' : 'added');
  } catch (error) {
    if (!isSocBridgeError(error)) throw error;
    return ruleFormReply(ctx, { ...(rule ? { rule } : {}), values: valuesOf(form), error: error.userMessage });
  }
}

function safeGet(services: Services, id: string) {
  try {
    return services.rules.get(id);
  } catch {
    return undefined;
  }
}
