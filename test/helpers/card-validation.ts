import { createRequire } from 'node:module';

// The package's `main` points at ESM files that do not resolve under Node; its UMD bundle does.
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { hostConfig: unknown; parse(json: unknown, context: unknown): void; validateProperties(): { validationEvents: { message: string }[] } };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
  HostConfig: new (json: unknown) => unknown;
};

/** Teams allows six actions on a card (its host config's `actions.maxActions`); the library's default is five. */
const TEAMS_HOST = new AC.HostConfig({ actions: { maxActions: 6 } });

/** Parses a card with the Adaptive Cards library, as Teams hosts it, and returns every parse or validation problem. */
export function adaptiveCardProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  parsed.hostConfig = TEAMS_HOST;
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  problems.push(...parsed.validateProperties().validationEvents.map((e) => e.message));
  return problems;
}
