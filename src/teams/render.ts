import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { Reply } from '../chat/reply.js';
import { renderCard, type AdaptiveCardJson } from '../cards/render.js';

/** The Adaptive Card a card reply becomes. */
export function cardOf(reply: Extract<Reply, { kind: 'card' }>): AdaptiveCardJson {
  return renderCard(reply.card, reply.data as never);
}

/** A reply as a Teams message activity; the summary doubles as the notification preview text. */
export function activityOf(reply: Reply): Partial<Activity> {
  if (reply.kind === 'text') return MessageFactory.text(reply.text);
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(cardOf(reply)));
  activity.summary = reply.summary.slice(0, 200);
  return activity;
}
