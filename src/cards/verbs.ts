/**
 * The one Action.Execute verb cards of every capability share: a button that runs a chat command
 * (e.g. "Show help"). The pipeline runs it as the command it carries, with that command's access
 * rule. Each capability's own verbs live with it (alerts/, onboarding/, routing/ `verbs.ts`).
 */
export const VERBS = {
  runCommand: 'command.run',
} as const;
