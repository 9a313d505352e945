/**
 * Action.Execute verbs. Card builders put them on buttons and the action router dispatches on them,
 * so both sides import them from here.
 */
export const VERBS = {
  /** Runs a chat command from a button (e.g. "Show help"); access is checked for that command. */
  runCommand: 'command.run',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];
