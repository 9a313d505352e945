import { ActivityTypes, CardFactory, TurnContext, type Activity, type InvokeResponse } from 'botbuilder';

/** The invoke Teams sends for an Action.Execute click (Universal Actions). */
export const CARD_ACTION_INVOKE = 'adaptiveCard/action';

/** What an Action.Execute answers the clicker with: a card that replaces theirs, or a sentence shown under it. */
export type CardActionAnswer = Record<string, unknown> | string;

type Handler = (context: TurnContext) => Promise<void>;
type Selector = (activity: Activity) => boolean;

/** The conversationUpdate events SOC Bridge follows; Teams names the channel and team ones in `channelData.eventType`. */
export type ConversationEvent = 'membersAdded' | 'membersRemoved' | 'channelDeleted' | 'channelRenamed' | 'teamRenamed';

interface Route {
  readonly selects: Selector;
  readonly handler: Handler;
}

/**
 * Routes each activity of a turn to the first handler that takes it: card-action invokes first
 * (Teams waits on them), then everything else in the order registered. Recipient mentions are
 * stripped from message text before routing. An invoke nobody takes is left unanswered, which the
 * adapter answers with 501; an error escapes to the adapter's `onTurnError`.
 */
export class TurnRouter {
  private readonly invokeRoutes: Route[] = [];
  private readonly routes: Route[] = [];
  private readonly before: (() => Promise<void>)[] = [];

  /** Runs before every turn is routed (e.g. to bring shared state up to date). */
  beforeTurn(step: () => Promise<void>): this {
    this.before.push(step);
    return this;
  }

  /** An Action.Execute of `verb`: the handler's answer becomes the invoke response. */
  cardExecute(verb: string, handler: (context: TurnContext, data: Record<string, unknown>) => Promise<CardActionAnswer>): this {
    this.invokeRoutes.push({
      selects: (a) => a.type === ActivityTypes.Invoke && a.name === CARD_ACTION_INVOKE && executeOf(a)?.type === 'Action.Execute' && executeOf(a)?.verb === verb,
      handler: async (context) => {
        const answer = await handler(context, dataOf(executeOf(context.activity)?.data));
        await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: invokeResponseOf(answer) });
      },
    });
    return this;
  }

  /** An Action.Submit of `verb` (clients without Universal Actions): a message carrying the card's data and no text. */
  cardSubmit(verb: string, handler: (context: TurnContext, data: Record<string, unknown>) => Promise<void>): this {
    this.routes.push({
      selects: (a) => a.type === ActivityTypes.Message && !a.text && isRecord(a.value) && a.value.verb === verb,
      handler: (context) => handler(context, dataOf(context.activity.value)),
    });
    return this;
  }

  conversationUpdate(event: ConversationEvent, handler: Handler): this {
    this.routes.push({ selects: (a) => a.type === ActivityTypes.ConversationUpdate && isEvent(a, event), handler });
    return this;
  }

  /** Any activity of `type` not taken by an earlier route. */
  activity(type: string, handler: Handler): this {
    this.routes.push({ selects: (a) => a.type === type, handler });
    return this;
  }

  /** Routes one turn; resolves to whether a route took it. */
  async run(context: TurnContext): Promise<boolean> {
    if (context.activity.type === ActivityTypes.Message) context.activity.text = TurnContext.removeRecipientMention(context.activity);
    for (const step of this.before) await step();
    const candidates = context.activity.type === ActivityTypes.Invoke ? [...this.invokeRoutes, ...this.routes] : this.routes;
    const route = candidates.find((r) => r.selects(context.activity));
    if (!route) return false;
    await route.handler(context);
    return true;
  }
}

function executeOf(activity: Activity): { type?: unknown; verb?: unknown; data?: unknown } | undefined {
  const action = isRecord(activity.value) ? activity.value.action : undefined;
  return isRecord(action) ? action : undefined;
}

function dataOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEvent(activity: Activity, event: ConversationEvent): boolean {
  if (event === 'membersAdded') return (activity.membersAdded?.length ?? 0) > 0;
  if (event === 'membersRemoved') return (activity.membersRemoved?.length ?? 0) > 0;
  return (activity.channelData as { eventType?: unknown } | undefined)?.eventType === event;
}

/** The Universal Actions response: a card replaces the clicker's copy, a sentence is shown to them. */
function invokeResponseOf(answer: CardActionAnswer): InvokeResponse {
  const body =
    typeof answer === 'string'
      ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: answer }
      : { statusCode: 200, type: CardFactory.contentTypes.adaptiveCard, value: answer };
  return { status: 200, body };
}
