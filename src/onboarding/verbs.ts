/** Action.Execute verbs on onboarding cards; the card builders and the route table (commands/routes.ts) share them. */
export const ONBOARDING_VERBS = {
  checklistDone: 'checklist.done',
  checklistHelp: 'checklist.help',
  consentRefresh: 'consent.refresh',
  offboardConfirm: 'offboard.confirm',
  offboardCancel: 'offboard.cancel',
} as const;

export type OnboardingVerb = (typeof ONBOARDING_VERBS)[keyof typeof ONBOARDING_VERBS];
export const ONBOARDING_VERB_LIST: readonly OnboardingVerb[] = Object.values(ONBOARDING_VERBS);
