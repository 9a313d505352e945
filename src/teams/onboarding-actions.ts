import type { Application, TurnState } from '@microsoft/teams-ai';
import { ONBOARDING_VERB_LIST } from '../onboarding/verbs.js';
import { registerOutcomeActions, type CardActionDeps } from './card-actions.js';

/** Routes the onboarding cards' verbs (access guide, consent check, offboarding) to the domain. */
export function registerOnboardingActions(app: Application<TurnState>, deps: CardActionDeps): void {
  registerOutcomeActions(app, ONBOARDING_VERB_LIST, (run, verb, data) => run.services.onboarding.actions.handle(verb, data, run.actor, run.place.conversationId), deps);
}
