import { UsageError } from '../errors.js';
import { mentionWord, unresolvedMentionWord } from '../routing/escalation-syntax.js';
import { optionKeyOf, parseRuleAdd, parseRuleOptions, type RuleInput } from '../routing/rule-syntax.js';
import { isConversationId } from '../text/ids.js';
import { commandSpec } from './catalog.js';
import type { CommandOf } from './command.js';
import type { Token } from './input.js';
import type { RoutingCommandName } from './routing-commands.js';

/** The token readers of the grammar, handed over by parse.ts so both read words the same way. */
export interface RoutingTokenReaders {
  wordOf(token: Token): string;
  tenantOf(token: Token): string;
}

type Parsers = { readonly [N in RoutingCommandName]: (args: readonly Token[]) => CommandOf<N> };

const RULE_ID = /^[a-z0-9-]{1,20}$/i;

/** Argument parsers of link, unlink, channels, rules and rule …. */
export function routingParsers(read: RoutingTokenReaders): Parsers {
  const ruleIdOf = (name: RoutingCommandName, args: readonly Token[]): string => {
    const [first, ...extra] = args;
    if (!first) throw new UsageError(`Say which rule (its id, shown by "rules"): ${commandSpec(name).usage}`);
    if (extra.length > 0) throw new UsageError(`"${name}" takes only the rule id: ${commandSpec(name).usage}`);
    const id = read.wordOf(first);
    if (!RULE_ID.test(id)) throw new UsageError(`"${id.slice(0, 40)}" is not a rule id. "rules" shows each rule's id, e.g. r7kq.`);
    return id.toLowerCase();
  };
  const optionalTenant = (name: 'channels' | 'rules', args: readonly Token[]): string | undefined => {
    const [first, ...extra] = args;
    if (extra.length > 0) throw new UsageError(`"${name}" takes at most one tenant: ${commandSpec(name).usage}`);
    return first ? read.tenantOf(first) : undefined;
  };
  return {
    link: (args) => {
      const [first, ...extra] = args;
      if (!first || extra.length > 0) throw new UsageError(`Name exactly one customer tenant: ${commandSpec('link').usage}`);
      return { name: 'link', tenant: read.tenantOf(first) };
    },
    unlink: (args) => {
      const [first, second, ...extra] = args;
      if (!first || extra.length > 0) throw new UsageError(`Name the customer tenant (and, from elsewhere, the conversation id): ${commandSpec('unlink').usage}`);
      if (!second) return { name: 'unlink', tenant: read.tenantOf(first) };
      const conversationId = read.wordOf(second);
      if (!isConversationId(conversationId)) throw new UsageError(`"${conversationId.slice(0, 60)}" is not a conversation id; "channels" shows them (e.g. 19:…@thread.tacv2).`);
      return { name: 'unlink', tenant: read.tenantOf(first), conversationId };
    },
    channels: (args) => {
      const tenant = optionalTenant('channels', args);
      return tenant ? { name: 'channels', tenant } : { name: 'channels' };
    },
    rules: (args) => {
      const tenant = optionalTenant('rules', args);
      return tenant ? { name: 'rules', tenant } : { name: 'rules' };
    },
    'rule new': (args) => {
      if (args.length > 0) throw new UsageError('"rule new" takes no arguments; it opens the rule form. To make a rule in one line use "rule add".');
      return { name: 'rule new' };
    },
    'rule add': (args) => {
      const { ruleName, input } = parseRuleAdd(ruleWordsOf(args, read));
      return { name: 'rule add', ruleName, input: withMentionNames(input, args) };
    },
    'rule edit': (args) => {
      const [first, ...rest] = args;
      const ruleId = ruleIdOf('rule edit', first ? [first] : []);
      if (rest.length === 0) return { name: 'rule edit', ruleId };
      return { name: 'rule edit', ruleId, input: withMentionNames(parseRuleOptions(ruleWordsOf(rest, read)), rest) };
    },
    'rule remove': (args) => ({ name: 'rule remove', ruleId: ruleIdOf('rule remove', args) }),
    'rule pause': (args) => ({ name: 'rule pause', ruleId: ruleIdOf('rule pause', args) }),
    'rule resume': (args) => ({ name: 'rule resume', ruleId: ruleIdOf('rule resume', args) }),
    'rule test': (args) => ({ name: 'rule test', ruleId: ruleIdOf('rule test', args) }),
  };
}

/**
 * Rule options as words. Teams puts a picked person as a mention of its own, so
 * `escalate-to:@Megan,@Alex` arrives as the word `escalate-to:` and mentions (with commas or spaces
 * between): they are joined into one option, each mention as `@<Entra object id>`.
 */
function ruleWordsOf(args: readonly Token[], read: RoutingTokenReaders): string[] {
  const words: string[] = [];
  let mentionsTaken = false;
  for (const token of args) {
    const last = words.at(-1);
    const inEscalateTo = last !== undefined && optionKeyOf(last) === 'escalate-to';
    if (token.kind === 'mention' && inEscalateTo) {
      const word = token.user.objectId ? mentionWord(token.user.objectId) : unresolvedMentionWord(token.user.displayName);
      const joiner = last.endsWith(':') || last.endsWith(',') ? '' : ',';
      words[words.length - 1] = `${last}${joiner}${word}`;
      mentionsTaken = true;
      continue;
    }
    if (token.kind === 'word' && inEscalateTo && mentionsTaken && token.value.startsWith(',')) {
      words[words.length - 1] = `${last}${token.value}`;
      continue;
    }
    mentionsTaken = false;
    words.push(read.wordOf(token));
  }
  return words;
}

/** The names people were @mentioned by, for those `escalate-to:` names by object id. */
function withMentionNames(input: RuleInput, args: readonly Token[]): RuleInput {
  if (!input.escalateTo) return input;
  const names = new Map(args.flatMap((t) => (t.kind === 'mention' && t.user.objectId ? [[t.user.objectId.toLowerCase(), t.user.displayName] as const] : [])));
  const people = input.escalateTo.people.map((p) => {
    const displayName = p.displayName ?? names.get(p.objectId);
    return displayName === undefined ? p : { ...p, displayName };
  });
  return { ...input, escalateTo: { ...input.escalateTo, people } };
}
