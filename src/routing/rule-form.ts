import { randomBytes } from 'node:crypto';
import { z } from 'zod/v4';
import type { RuleFormValues } from '../cards/routing-cards.js';
import type { ChatPlace, Services } from '../commands/context.js';
import { denialMessage, isAllowed } from '../commands/access.js';
import { notice, type Reply } from '../commands/reply.js';
import { UsageError, isSocBridgeError, userFacingMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import { ruleFormReply, ruleSavedReply } from './rule-replies.js';
import type { RuleInput } from './rule-syntax.js';
import { categoriesOf, detectionSourcesOf, deviceGroupsOf, emailOf, ruleNameOf, serviceSourcesOf, severitiesOf, splitList, titleTextOf, MAX_EMAILS } from './rule-vocabulary.js';
import { RULE_VERBS, type RuleVerb } from './verbs.js';

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
  emails: text(6000),
  mode: z.enum(['teams', 'email', 'both']).optional().default('teams'),
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
  const emails = form.emails.split(/[,;\s]+/).filter((e) => e !== '').map((e) => emailOf(e, 'Email addresses'));
  if (emails.length > MAX_EMAILS) throw new UsageError(`Email addresses: at most ${MAX_EMAILS} per rule.`);
  const channelRefs = splitList(form.channels);
  const linkedChannels = form.linkedChannels === 'true';
  if (!linkedChannels && channelRefs.length === 0 && emails.length === 0) {
    throw new UsageError('Send to: choose at least one target: each customer\'s linked channels, a specific channel, or an email address.');
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
    targets: { linkedChannels, here: false, channelRefs, emails: [...new Set(emails)] },
    mode: form.mode,
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

export interface RuleActionContext {
  readonly actor: Actor;
  readonly place: Pick<ChatPlace, 'conversationId' | 'kind'>;
  readonly services: Services;
  readonly logger: Logger;
}

/**
 * A click on a routing card (the rule form's Save). The answer replaces the form for the person
 * who clicked: the saved rule, or the form again with their values and the exact reason.
 */
export async function handleRuleAction(verb: RuleVerb, data: unknown, ctx: RuleActionContext): Promise<Reply> {
  if (!isAllowed(ctx.actor.role, verb)) return notice({ tone: 'attention', title: 'Not allowed', text: denialMessage(ctx.actor.role, verb) });
  if (verb !== RULE_VERBS.save) return notice({ tone: 'warning', title: 'Unknown action', text: 'This button is not known. Type "rules" instead.' });
  const parsed = RuleFormPayload.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return notice({ tone: 'warning', title: 'Check the form', text: `The form's data is not valid (${issue?.path.join('.') || 'form'}: ${issue?.message ?? 'invalid'}). Open it again with "rule new".` });
  }
  const form = parsed.data;
  const rule = form.ruleId ? safeGet(ctx.services, form.ruleId) : undefined;
  try {
    const { name, input } = ruleInputOfForm(form);
    const change = { actor: ctx.actor, place: ctx.place };
    const saved = form.ruleId ? await ctx.services.rules.edit(form.ruleId, { ...input, name }, change) : await ctx.services.rules.add(name, input, change);
    return ruleSavedReply(saved.rule, saved.warnings, ctx.services, ctx.actor, form.ruleId ? 'changed' : 'added');
  } catch (error) {
    if (!isSocBridgeError(error)) {
      const reference = randomBytes(4).toString('hex');
      ctx.logger.error({ event: 'rule.form_failed', reference, err: error }, 'rule form failed');
      return notice({ tone: 'attention', title: 'That did not work', text: userFacingMessage(error, reference) });
    }
    return ruleFormReply(ctx.services, ctx.actor, ctx.place, { ...(rule ? { rule } : {}), values: valuesOf(form), error: error.userMessage });
  }
}

function safeGet(services: Services, id: string) {
  try {
    return services.rules.get(id);
  } catch {
    return undefined;
  }
}
