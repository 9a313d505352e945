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

/** The chart elements Teams draws in cards of version 1.5 (desktop and web); the library knows none of them. */
export const TEAMS_CHART_TYPES = ['Chart.Donut', 'Chart.Pie', 'Chart.Gauge', 'Chart.Line', 'Chart.VerticalBar', 'Chart.VerticalBar.Grouped', 'Chart.HorizontalBar', 'Chart.HorizontalBar.Stacked'];

/**
 * Parses a card with the Adaptive Cards library, as Teams hosts it, and returns every parse or
 * validation problem. The library does not know Teams' charts: it parses their `fallback` in their
 * place, as a client without charts (Teams on iOS) shows it. So a chart is accepted only with a
 * fallback, and only of a type Teams draws.
 */
export function adaptiveCardProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  parsed.hostConfig = TEAMS_HOST;
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message).filter((m) => !/^Unknown element type "Chart\.[A-Za-z.]+"\. Fallback will be used if present\.$/.test(m));
  problems.push(...parsed.validateProperties().validationEvents.map((e) => e.message));
  problems.push(...chartProblems(card));
  return problems;
}

function chartProblems(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => chartProblems(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  const element = node as Record<string, unknown>;
  const own: string[] = [];
  if (typeof element.type === 'string' && element.type.startsWith('Chart.')) {
    if (!TEAMS_CHART_TYPES.includes(element.type)) own.push(`${path}: ${element.type} is not a chart Teams draws`);
    if (!element.fallback || typeof element.fallback !== 'object') own.push(`${path}: ${element.type} has no fallback for clients that draw no charts`);
    if (!Array.isArray(element.data) && element.type !== 'Chart.Gauge') own.push(`${path}: ${element.type} has no data array`);
  }
  return [...own, ...Object.entries(element).flatMap(([key, value]) => chartProblems(value, `${path}.${key}`))];
}
