import type { z } from 'zod/v4';
import { describeFailure, failureNotice } from '../chat/failure.js';
import type { ActionOutcome, ActionResult, CardOrigin, CommandOutcome } from '../chat/outcome.js';
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

/** How a command or a card click ended: done, refused by role, refused for bad input, or failed in its handler. */
export type RouteOutcome = 'ok' | 'denied' | 'invalid' | 'failed';

/** Told how each command and card click ended (metrics). */
export interface RouteObserver {
  /** `unknown` (as both name and outcome): the text named no command. */
  commandDone(command: CommandName | 'unknown', outcome: RouteOutcome | 'unknown'): void;
  /** From the click reaching the pipeline to its answer being ready, whether the invoke waited for it or not. */
  actionDone(verb: ActionVerb, outcome: RouteOutcome, seconds: number): void;
}

/** What the pipeline needs from the chat layer; it adds `may` from the route table. */
export type TurnContext = Omit<RunContext, 'may'> & { readonly observer?: RouteObserver };

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

/**
 * Runs a chat message as a command (parse, then the pipeline): the answer to come, and what to
 * show first if the command has something to say while it works (see `CommandRoute.interim`).
 */
export function startCommand(input: CommandInput, turn: TurnContext): CommandOutcome {
  const { interim, final } = commandOutcome(input, turn);
  const answer = final.then((r) => r.reply);
  return interim ? { interim, final: answer } : { final: answer };
}

/** Runs a parsed command through the pipeline (typed, or carried by a button). */
export async function execute(command: Command, turn: TurnContext): Promise<Reply> {
  return (await executeCommand(command, turn).final).reply;
}

type Started = { interim?: Reply; final: Promise<{ reply: Reply; outcome: RouteOutcome | 'unknown' }> };

function commandOutcome(input: CommandInput, turn: TurnContext): Started {
  const parsed = parseCommand(input);
  if (parsed.ok) return executeCommand(parsed.command, turn);
  if (parsed.kind === 'unknown') {
    turn.observer?.commandDone('unknown', 'unknown');
    return { final: Promise.resolve({ reply: unknownCommand(parsed.input, parsed.suggestion), outcome: 'unknown' }) };
  }
  turn.observer?.commandDone(parsed.command, 'invalid');
  return { final: Promise.resolve({ reply: usageProblem(parsed.command, parsed.message), outcome: 'invalid' }) };
}

function executeCommand(command: Command, turn: TurnContext): { interim?: Reply; final: Promise<{ reply: Reply; outcome: RouteOutcome }> } {
  const route: CommandRoute<Command> = COMMAND_ROUTES[command.name];
  const ended = (reply: Reply, outcome: RouteOutcome) => {
    turn.observer?.commandDone(command.name, outcome);
    return { reply, outcome };
  };
  if (!isAllowed(turn.actor.role, route.access)) return { final: Promise.resolve(ended(denied(turn, command.name, route.access), 'denied')) };
  const ctx = { ...withAccess(turn), command };
  const final = (async () => {
    try {
      const reply = await route.handle(ctx);
      turn.logger.info({ event: 'command.done', command: command.name, userId: turn.actor.userId }, 'command done');
      return ended(reply, 'ok');
    } catch (error) {
      return ended(failureNotice(error, turn.logger, 'command', { title: `"${command.name}" did not complete`, fields: { command: command.name, userId: turn.actor.userId } }), 'failed');
    }
  })();
  const interim = interimOf(route, ctx);
  return interim ? { interim, final } : { final };
}

/** A command's interim answer; a problem making it (a tenant that does not resolve) is the handler's to report. */
function interimOf(route: CommandRoute<Command>, ctx: Parameters<CommandRoute<Command>['handle']>[0]): Reply | undefined {
  try {
    return route.interim?.(ctx);
  } catch {
    return undefined;
  }
}

/**
 * Runs a card click through the pipeline. The outcome's `final` never rejects; a refusal or a
 * card with bad data goes to the clicker only, whatever the verb's own delivery.
 */
export function runAction(verb: ActionVerb, data: unknown, origin: CardOrigin, turn: TurnContext): ActionOutcome {
  const started = performance.now();
  const ended = (outcome: RouteOutcome) => turn.observer?.actionDone(verb, outcome, (performance.now() - started) / 1000);
  if (verb === 'command.run') return runButtonCommand(data, turn, ended);
  const route: ActionRoute<unknown> = ACTION_ROUTES[verb];
  if (!isAllowed(turn.actor.role, route.access)) {
    ended('denied');
    return answered(denied(turn, verb, route.access));
  }
  const payload = validate(route.payload, data, route.whenInvalid);
  if (!payload.ok) {
    ended('invalid');
    return answered(payload.reply);
  }
  const final = route.handle({ ...withAccess(turn), payload: payload.value, origin }).then(
    (reply): ActionResult => {
      ended('ok');
      return { reply, delivery: route.delivery };
    },
    (error: unknown): ActionResult => {
      ended('failed');
      return failureResult(error, route.delivery, verb, turn);
    },
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

function runButtonCommand(data: unknown, turn: TurnContext, ended: (outcome: RouteOutcome) => void): ActionOutcome {
  const payload = validate(RUN_COMMAND_ROUTE.payload, data, RUN_COMMAND_ROUTE.whenInvalid);
  if (!payload.ok) {
    ended('invalid');
    return answered(payload.reply);
  }
  const final = commandOutcome({ text: payload.value.command, mentions: [] }, turn).final.then(({ reply, outcome }): ActionResult => {
    ended(outcome === 'unknown' ? 'invalid' : outcome);
    return { reply, delivery: RUN_COMMAND_ROUTE.delivery };
  });
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
