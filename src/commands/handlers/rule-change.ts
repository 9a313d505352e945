import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { commandButton, notice, type Reply } from '../../chat/reply.js';
import { ruleFormReply, ruleSavedReply } from './rule-replies.js';

/** `rule new`: the rule form. */
export async function ruleNew(ctx: HandlerContext<CommandOf<'rule new'>>): Promise<Reply> {
  return ruleFormReply(ctx, {});
}

/** `rule add <name> key:value…`. */
export async function ruleAdd(ctx: HandlerContext<CommandOf<'rule add'>>): Promise<Reply> {
  const { command, actor, place, services } = ctx;
  const { rule, warnings } = await services.rules.add(command.ruleName, command.input, { actor, place });
  return ruleSavedReply(rule, warnings, ctx, 'added');
}

/** `rule edit <id> [key:value…]`: without options, the form filled with the rule. */
export async function ruleEdit(ctx: HandlerContext<CommandOf<'rule edit'>>): Promise<Reply> {
  const { command, actor, place, services } = ctx;
  if (!command.input) return ruleFormReply(ctx, { rule: services.rules.get(command.ruleId) });
  const { rule, warnings } = await services.rules.edit(command.ruleId, command.input, { actor, place });
  return ruleSavedReply(rule, warnings, ctx, 'changed');
}

/** `rule remove <id>`. */
export async function ruleRemove({ command, actor, place, services }: HandlerContext<CommandOf<'rule remove'>>): Promise<Reply> {
  const { rule, remaining } = await services.rules.remove(command.ruleId, { actor, place });
  return notice({
    tone: 'good',
    title: `Rule removed: ${rule.name} (${rule.id})`,
    text: remaining === 0 ? 'No rules remain, so the built-in default applies again: medium and higher alerts go to each customer\'s linked channels.' : `${remaining} rule${remaining === 1 ? '' : 's'} remain.`,
    buttons: [commandButton('All rules', 'rules')],
  });
}

/** `rule pause <id>`. */
export async function rulePause(ctx: HandlerContext<CommandOf<'rule pause'>>): Promise<Reply> {
  return setEnabled(ctx, ctx.command.ruleId, false);
}

/** `rule resume <id>`. */
export async function ruleResume(ctx: HandlerContext<CommandOf<'rule resume'>>): Promise<Reply> {
  return setEnabled(ctx, ctx.command.ruleId, true);
}

async function setEnabled({ actor, place, services }: HandlerContext<unknown>, ruleId: string, enabled: boolean): Promise<Reply> {
  const { rule, changed } = await services.rules.setEnabled(ruleId, enabled, { actor, place });
  const state = enabled ? 'delivers new alerts again' : 'is paused: it delivers nothing until resumed';
  return notice({
    tone: enabled ? 'good' : 'warning',
    title: `${rule.name} (${rule.id}) ${enabled ? 'resumed' : 'paused'}`,
    text: changed ? `The rule ${state}.` : `The rule was already ${enabled ? 'enabled' : 'paused'}; nothing changed.`,
    buttons: [enabled ? commandButton('Pause', `rule pause ${rule.id}`) : commandButton('Resume', `rule resume ${rule.id}`), commandButton('All rules', 'rules')],
  });
}

/** `rule test <id>`: a SAMPLE alert through the rule to each of its targets, and what became of each. */
export async function ruleTest({ command, actor, services }: HandlerContext<CommandOf<'rule test'>>): Promise<Reply> {
  const report = await services.ruleTester.test(command.ruleId, actor);
  const sent = report.deliveries.filter((d) => d.status === 'sent');
  const failed = report.deliveries.filter((d) => d.status === 'failed');
  const trying = report.deliveries.filter((d) => d.status === 'trying');
  const label = (d: { kind: string; target: string }) => `${d.target} (${d.kind})`;
  const details = [
    ...sent.map((d) => `Sent: ${label(d)}`),
    ...failed.map((d) => `Failed: ${label(d)}: ${d.detail ?? 'unknown reason'}`),
    ...trying.map((d) => `Still trying: ${label(d)}: ${d.detail ?? 'no answer yet'}`),
    ...report.notes,
  ];
  const { rule } = report;
  const total = report.deliveries.length;
  return notice({
    tone: total === 0 || failed.length || trying.length ? 'warning' : 'good',
    title: `Test of ${rule.name} (${rule.id})`,
    text:
      total === 0
        ? 'The rule reaches no target right now, so no sample was sent.'
        : `A sample alert, marked SAMPLE, went to ${sent.length} of ${total} target${total === 1 ? '' : 's'}.${trying.length ? ` ${trying.length} still being tried: "channels" and "rules" show how they are doing.` : ''}${rule.enabled ? '' : ' The rule itself is paused.'}`,
    details,
    buttons: [commandButton('Channels', 'channels'), commandButton('All rules', 'rules')],
  });
}
