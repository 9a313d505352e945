import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { cardsDir } from '../paths.js';
import type { CardName, CardDataOf } from './catalog.js';
import { fitCard } from './fit.js';
import { neutralizeCardData } from './neutralize.js';

/** An Adaptive Card ready to attach to a message. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

const templates = new Map<CardName, Template>();

function templateFor(name: CardName): Template {
  let template = templates.get(name);
  if (!template) {
    const json = JSON.parse(readFileSync(join(cardsDir, `${name}.json`), 'utf8')) as unknown;
    template = new Template(json);
    templates.set(name, template);
  }
  return template;
}

/**
 * The one card renderer: the template from `cards/<name>.json`, filled with neutralized data, and
 * shrunk (lists cut with "and N more", then texts clipped) if it would be too large for Teams.
 */
export function renderCard<N extends CardName>(name: N, data: CardDataOf<N>): AdaptiveCardJson {
  return fitCard(data, (fitted) => {
    const card = templateFor(name).expand({ $root: neutralizeCardData(fitted) }) as AdaptiveCardJson;
    delete card.$schema;
    addSubmitFallbacks(card);
    return card;
  });
}

/**
 * Clients without Universal Actions cannot send Action.Execute; they fall back to an Action.Submit
 * with the same title and data (the verb included), which the bot answers with a new message. Each
 * Action.Execute without a fallback of its own gets one.
 */
function addSubmitFallbacks(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addSubmitFallbacks(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const element = node as Record<string, unknown>;
  if (element.type === 'Action.Execute' && element.fallback === undefined && typeof element.verb === 'string') {
    const data = element.data !== null && typeof element.data === 'object' ? (element.data as Record<string, unknown>) : {};
    element.fallback = { type: 'Action.Submit', title: element.title, data: { ...data, verb: element.verb } };
  }
  for (const value of Object.values(element)) addSubmitFallbacks(value);
}
