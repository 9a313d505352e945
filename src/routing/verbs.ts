/** Action.Execute verbs of routing cards; the card builders and the route table (commands/routes.ts) share them. */
export const RULE_VERBS = {
  /** The rule form's submit button (new rule, or edit when the data carries a rule id). */
  save: 'rule.save',
} as const;

export type RuleVerb = (typeof RULE_VERBS)[keyof typeof RULE_VERBS];
export const RULE_VERB_LIST: readonly RuleVerb[] = Object.values(RULE_VERBS);
