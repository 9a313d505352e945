import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { Reply } from '../chat/reply.js';
import { neutralizeText } from '../cards/neutralize.js';
import { renderCard, type AdaptiveCardJson } from '../cards/render.js';

/** Teams shows about this much of a summary in a notification; the rest is never seen. */
const MAX_SUMMARY = 200;

/** The Adaptive Card a card reply becomes. */
export function cardOf(reply: Extract<Reply, { kind: 'card' }>): AdaptiveCardJson {
  return renderCard(reply.card, reply.data as never);
}

/**
 * A reply as a Teams message activity. The summary doubles as the notification preview text and
 * carries alert titles and typed input, so it is neutralized like the card body.
 */
export function activityOf(reply: Reply): Partial<Activity> {
  if (reply.kind === 'text') return MessageFactory.text(reply.text);
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(cardOf(reply)));
  activity.summary = neutralizeText(reply.summary.slice(0, MAX_SUMMARY));
  return activity;
}
