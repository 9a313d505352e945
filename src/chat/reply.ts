import type { CardDataOf, CardName, NoticeTone } from '../cards/catalog.js';
import type { CommandButton } from '../cards/elements.js';
import { VERBS } from '../cards/verbs.js';

/** What a command answers with; the chat layer renders it. */
export type Reply = TextReply | CardReply;

export interface TextReply {
  readonly kind: 'text';
  readonly text: string;
}

export type CardReply = { [N in CardName]: { readonly kind: 'card'; readonly card: N; readonly data: CardDataOf<N>; readonly summary: string } }[CardName];

export function cardReply<N extends CardName>(card: N, data: CardDataOf<N>, summary: string): CardReply {
  return { kind: 'card', card, data, summary } as CardReply;
}

/** A short card with a title, a sentence and optional details and buttons. */
export function notice(args: { tone?: NoticeTone; title: string; text: string; details?: string[]; buttons?: CommandButton[] }): CardReply {
  return cardReply(
    'notice',
    { tone: args.tone ?? 'default', title: args.title, text: args.text, details: args.details ?? [], buttons: args.buttons ?? [] },
    `${args.title}: ${args.text}`,
  );
}

/** A button that runs `command` as if the clicker had typed it. */
export function commandButton(title: string, command: string): CommandButton {
  return { title, actionData: { verb: VERBS.runCommand, command } };
}
