import type { z } from 'zod/v4';
import { describeFailure, failureNotice } from '../chat/failure.js';
import type { ActionOutcome, ActionResult, CardOrigin } from '../chat/outcome.js';
import { cardReply, commandButton, notice, type Reply } from '../chat/reply.js';
import { AccessDeniedError } from '../errors.js';
import { denialMessage, isAllowed, type AccessRule } from '../roles/access.js';
import { RUN_COMMAND_ROUTE } from './actions/run-command.js';
import type { ActionVerb } from './action-verbs.js';
import { commandSpec, type CommandName } from './catalog.js';
import type { Command } from './command.js';
import type { RouteName, RunContext } from './context.js';
import type { CommandInput } from './input.js';
import { parseCommand } from './parse.js';
import { ACTION_ROUTES, COMMAND_ROUTES } from './routes.js';
import type { ActionRoute, CommandRoute } from './route.js';

/*
 * The one pipeline every command and card click runs through: authorize → validate → handle →
 * error boundary. Every outcome is a reply (a parse error, a denial, a failure); nothing here
 * throws into the chat layer.
 */

/** What the pipeline needs from the chat layer; it adds `may` from the route table. */
export type TurnContext = Omit<RunContext, 'may'>;

function accessOf(route: RouteName): AccessRule {
  return route === 'command.run' ? RUN_COMMAND_ROUTE.access : route in COMMAND_ROUTES ? COMMAND_ROUTES[route as CommandName].access : ACTION_ROUTES[route as Exclude<ActionVerb, 'command.run'>].access;
}

function withAccess(turn: TurnContext): RunContext {
  return { ...turn, may: (route) => isAllowed(turn.actor.role, accessOf(route)) };
}

const denied = (turn: TurnContext, action: string, rule: AccessRule): Reply => {
  turn.logger.info({ event: 'route.denied', route: action, userId: turn.actor.userId, role: turn.actor.role }, 'denied');
  return notice({ tone: 'attention', title: 'Not allowed', text: denialMessage(turn.actor.role, action, rule) });
};

/** Runs a chat message as a command: parse, then the pipeline. */
export async function runCommand(input: CommandInput, turn: TurnContext): Promise<Reply> {
  const parsed = parseCommand(input);
  if (!parsed.ok) {
    return parsed.kind === 'unknown' ? unknownCommand(parsed.input, parsed.suggestion) : usageProblem(parsed.command, parsed.message);
  }
  return execute(parsed.command, turn);
}

/** Runs a parsed command through the pipeline (typed, or carried by a button). */
export async function execute(command: Command, turn: TurnContext): Promise<Reply> {
  const route: CommandRoute<Command> = COMMAND_ROUTES[command.name];
  if (!isAllowed(turn.actor.role, route.access)) return denied(turn, command.name, route.access);
  try {
    const reply = await route.handle({ ...withAccess(turn), command });
    turn.logger.info({ event: 'command.done', command: command.name, userId: turn.actor.userId }, 'command done');
    return reply;
  } catch (error) {
    return failureNotice(error, turn.logger, 'command', { title: `"${command.name}" did not complete`, fields: { command: command.name, userId: turn.actor.userId } });
  }
}

/**
 * Runs a card click through the pipeline. The outcome's `final` never rejects; a refusal or a
 * card with bad data goes to the clicker only, whatever the verb's own delivery.
 */
export function runAction(verb: ActionVerb, data: unknown, origin: CardOrigin, turn: TurnContext): ActionOutcome {
  if (verb === 'command.run') return runButtonCommand(data, turn);
  const route: ActionRoute<unknown> = ACTION_ROUTES[verb];
  if (!isAllowed(turn.actor.role, route.access)) return answered(denied(turn, verb, route.access));
  const payload = validate(route.payload, data, route.whenInvalid);
  if (!payload.ok) return answered(payload.reply);
  const final = route.handle({ ...withAccess(turn), payload: payload.value, origin }).then(
    (reply): ActionResult => ({ reply, delivery: route.delivery }),
    (error: unknown): ActionResult => failureResult(error, route.delivery, verb, turn),
  );
  return { interim: route.interim(payload.value), final };
}

/**
 * A failed click: a refusal goes to the clicker only; a card shared by the conversation is never
 * replaced by an error (the clicker reads the sentence, the card stays as it was).
 */
function failureResult(error: unknown, delivery: ActionResult['delivery'], verb: string, turn: TurnContext): ActionResult {
  const fields = { verb, userId: turn.actor.userId };
  if (error instanceof AccessDeniedError) return { reply: failureNotice(error, turn.logger, 'card_action', { fields }), delivery: 'clicker' };
  if (delivery === 'shared') return { reply: { kind: 'text', text: `That did not work: ${describeFailure(error, turn.logger, 'card_action', fields)}` }, delivery };
  return { reply: failureNotice(error, turn.logger, 'card_action', { fields }), delivery };
}

function runButtonCommand(data: unknown, turn: TurnContext): ActionOutcome {
  const payload = validate(RUN_COMMAND_ROUTE.payload, data, RUN_COMMAND_ROUTE.whenInvalid);
  if (!payload.ok) return answered(payload.reply);
  const final = runCommand({ text: payload.value.command, mentions: [] }, turn).then((reply): ActionResult => ({ reply, delivery: RUN_COMMAND_ROUTE.delivery }));
  return { interim: RUN_COMMAND_ROUTE.interim(payload.value), final };
}

function answered(reply: Reply): ActionOutcome {
  return { interim: reply, final: Promise.resolve({ reply, delivery: 'clicker' }) };
}

function validate<P>(schema: z.ZodType<P>, data: unknown, whenInvalid: string): { ok: true; value: P } | { ok: false; reply: Reply } {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'card data';
  return { ok: false, reply: notice({ tone: 'warning', title: 'Check the form', text: `This card's data is not valid (${field}: ${issue?.message ?? 'invalid'}). ${whenInvalid}` }) };
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
