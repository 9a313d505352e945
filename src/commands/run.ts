import { randomBytes } from 'node:crypto';
import { isSocBridgeError, userFacingMessage } from '../errors.js';
import { denialMessage, isAllowed } from './access.js';
import { commandSpec, type CommandName } from './catalog.js';
import type { Command, CommandOf } from './command.js';
import type { HandlerContext } from './context.js';
import { alert } from './handlers/alert.js';
import { alerts } from './handlers/alerts.js';
import { audit } from './handlers/audit.js';
import { help } from './handlers/help.js';
import { roleGrant } from './handlers/role-grant.js';
import { roleRevoke } from './handlers/role-revoke.js';
import { roles } from './handlers/roles.js';
import { socChannel } from './handlers/soc-channel.js';
import { channels } from './handlers/channels.js';
import { link } from './handlers/link.js';
import { ruleAdd, ruleEdit, ruleNew, rulePause, ruleRemove, ruleResume, ruleTest } from './handlers/rule-change.js';
import { rules } from './handlers/rules.js';
import { unlink } from './handlers/unlink.js';
import { tenants } from './handlers/tenants.js';
import { consent } from './handlers/consent.js';
import { offboard } from './handlers/offboard.js';
import { onboard } from './handlers/onboard.js';
import { status } from './handlers/status.js';
import { whoami } from './handlers/whoami.js';
import type { CommandInput } from './input.js';
import { parseCommand } from './parse.js';
import { cardReply, commandButton, notice, type Reply } from './reply.js';

type Handlers = { readonly [N in CommandName]: (ctx: HandlerContext<CommandOf<N>>) => Promise<Reply> };

/** One handler per command; the compiler insists every command has one. */
const HANDLERS: Handlers = {
  help,
  whoami,
  tenants,
  alerts,
  alert,
  audit,
  roles,
  'role grant': roleGrant,
  'role revoke': roleRevoke,
  'soc-channel': socChannel,
  onboard,
  consent,
  status,
  offboard,
  link,
  unlink,
  channels,
  rules,
  'rule new': ruleNew,
  'rule add': ruleAdd,
  'rule edit': ruleEdit,
  'rule remove': ruleRemove,
  'rule pause': rulePause,
  'rule resume': ruleResume,
  'rule test': ruleTest,
};

export type RunContext = Omit<HandlerContext<never>, 'command'>;

/**
 * Runs a chat message as a command: parse, check the role, run the handler. Every outcome is a
 * reply (a parse error, a denial, a failure); nothing here throws into the chat layer.
 */
export async function runCommand(input: CommandInput, ctx: RunContext): Promise<Reply> {
  const parsed = parseCommand(input);
  if (!parsed.ok) {
    return parsed.kind === 'unknown' ? unknownCommand(parsed.input, parsed.suggestion) : usageProblem(parsed.command, parsed.message);
  }
  return execute(parsed.command, ctx);
}

/** Runs an already-parsed command (also used by card buttons). */
export async function execute(command: Command, ctx: RunContext): Promise<Reply> {
  if (!isAllowed(ctx.actor.role, command.name)) {
    ctx.logger.info({ event: 'command.denied', command: command.name, userId: ctx.actor.userId, role: ctx.actor.role }, 'command denied');
    return notice({ tone: 'attention', title: 'Not allowed', text: denialMessage(ctx.actor.role, command.name) });
  }
  const handler = HANDLERS[command.name] as (c: HandlerContext<Command>) => Promise<Reply>;
  try {
    const reply = await handler({ ...ctx, command });
    ctx.logger.info({ event: 'command.done', command: command.name, userId: ctx.actor.userId }, 'command done');
    return reply;
  } catch (error) {
    const reference = randomBytes(4).toString('hex');
    if (isSocBridgeError(error)) {
      ctx.logger.warn({ event: 'command.refused', command: command.name, code: error.code, reference, userId: ctx.actor.userId }, error.message);
    } else {
      ctx.logger.error({ event: 'command.failed', command: command.name, reference, err: error }, 'command failed');
    }
    return notice({ tone: 'attention', title: `"${command.name}" did not complete`, text: userFacingMessage(error, reference) });
  }
}

function unknownCommand(input: string, suggestion: CommandName | undefined): Reply {
  const hint = suggestion ? `Did you mean "${suggestion}"? Usage: ${commandSpec(suggestion).usage}` : 'Type "help" to see the commands you can use.';
  const buttons = [...(suggestion ? [commandButton(`Help on ${suggestion}`, `help ${suggestion}`)] : []), commandButton('Show all commands', 'help')];
  return cardReply('unknown-command', { input, hint, buttons }, `I don't know "${input}". ${hint}`);
}

function usageProblem(command: CommandName, message: string): Reply {
  const spec = commandSpec(command);
  return notice({
    tone: 'warning',
    title: `Check the "${command}" command`,
    text: message,
    details: [`Usage: ${spec.usage}`, ...spec.examples.map((e) => `Example: ${e}`)],
    buttons: [commandButton(`Help on ${command}`, `help ${command}`)],
  });
}
