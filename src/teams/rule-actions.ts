import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { RunContext } from '../commands/run.js';
import { handleRuleAction } from '../routing/rule-form.js';
import { RULE_VERB_LIST } from '../routing/verbs.js';
import { cardOf } from './render.js';

/** Routes the routing cards' verbs (the rule form's Save) to the domain; the answer replaces the card for the clicker. */
export function registerRuleActions(app: Application<TurnState>, deps: { contextFor: (context: TurnContext) => Promise<RunContext> }): void {
  for (const verb of RULE_VERB_LIST) {
    app.adaptiveCards.actionExecute(verb, async (context, _state, data) => {
      const run = await deps.contextFor(context);
      const reply = await handleRuleAction(verb, data, run);
      return reply.kind === 'card' ? (cardOf(reply) as never) : reply.text;
    });
  }
}
