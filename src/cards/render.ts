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
    return card;
  });
}
