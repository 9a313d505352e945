/** A user the message @mentions, as resolved by the chat layer. */
export interface MentionedUser {
  /** The mention exactly as it stands in the text, e.g. `<at>Megan Bowen</at>`. */
  readonly text: string;
  readonly displayName: string;
  /** Entra object id, when the chat layer could resolve it. */
  readonly objectId?: string;
}

/** A chat message as the command layer sees it: bot mention removed, plain text. */
export interface CommandInput {
  readonly text: string;
  readonly mentions: readonly MentionedUser[];
}

export type Token = { readonly kind: 'word'; readonly value: string } | { readonly kind: 'mention'; readonly user: MentionedUser };

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

/**
 * Splits a message into words and mentions. Quoted text ("Contoso Ltd") is one word; `<at>…</at>`
 * becomes the mention it stands for.
 */
export function tokenize(input: CommandInput): Token[] {
  const tokens: Token[] = [];
  const unused = [...input.mentions];
  const text = input.text;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (text.startsWith('<at>', i)) {
      const end = text.indexOf('</at>', i);
      if (end !== -1) {
        const raw = text.slice(i, end + 5);
        const index = unused.findIndex((m) => m.text === raw);
        const user = index === -1 ? { text: raw, displayName: raw.slice(4, -5) } : unused.splice(index, 1)[0];
        tokens.push({ kind: 'mention', user: user ?? { text: raw, displayName: raw.slice(4, -5) } });
        i = end + 5;
        continue;
      }
    }
    const close = QUOTE_PAIRS[ch];
    if (close !== undefined) {
      const end = text.indexOf(close, i + 1);
      if (end !== -1) {
        tokens.push({ kind: 'word', value: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end] ?? '') && !text.startsWith('<at>', end)) end++;
    tokens.push({ kind: 'word', value: text.slice(i, end) });
    i = end;
  }
  return tokens;
}
