import { ALERT_VERBS } from '../alerts/verbs.js';
import { VERBS } from '../cards/verbs.js';
import { INCIDENT_VERBS } from '../incidents/verbs.js';
import { ONBOARDING_VERBS } from '../onboarding/verbs.js';
import { RULE_VERBS } from '../routing/verbs.js';

/** Every Action.Execute verb a card can carry; the route table has one row for each. */
export const ACTION_VERBS = [...Object.values(VERBS), ...Object.values(ALERT_VERBS), ...Object.values(INCIDENT_VERBS), ...Object.values(ONBOARDING_VERBS), ...Object.values(RULE_VERBS)] as const;
export type ActionVerb = (typeof ACTION_VERBS)[number];
