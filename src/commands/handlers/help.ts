import { COMMANDS, commandSpec } from '../catalog.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, type Reply } from '../../chat/reply.js';

/** `help [command]`: the commands this user may run, with examples; or one command in detail. */
export async function help({ command, actor, may }: HandlerContext<CommandOf<'help'>>): Promise<Reply> {
  const available = COMMANDS.filter((spec) => may(spec.name));
  const shown = command.topic ? [commandSpec(command.topic)] : available;
  const hidden = COMMANDS.length - available.length;
  const roleLine = actor.role
    ? `Your role: ${actor.role}${actor.tenant ? ` (customer ${actor.tenant})` : ''}.`
    : 'You have no SOC Bridge role yet: ask a SOC Bridge admin to grant you one. Your Entra object id is shown by "whoami".';
  const footer = command.topic
    ? may(command.topic)
      ? 'Type "help" for every command.'
      : `Your role does not allow "${command.topic}". Type "help" for the commands you can use.`
    : `${hidden > 0 ? `${hidden} more command${hidden === 1 ? '' : 's'} need a higher role. ` : ''}In a channel, @mention SOC Bridge before the command.`;
  return cardReply(
    'help',
    {
      title: command.topic ? `help: ${command.topic}` : 'SOC Bridge commands',
      roleLine,
      commands: shown.map((spec) => ({ usage: spec.usage, summary: spec.summary, examples: spec.examples.join('  ·  ') })),
      footer,
    },
    `SOC Bridge commands: ${shown.map((s) => s.name).join(', ')}`,
  );
}
