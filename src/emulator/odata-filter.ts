import {
  CLASSIFICATIONS,
  DETERMINATIONS_ACCEPTED_ON_READ,
  SERVICE_SOURCES,
  SEVERITIES,
  STATUSES,
  currentDeterminationName,
  type Alert,
} from '../defender/alert.js';
import { INCIDENT_STATUSES } from '../defender/incident.js';

/**
 * The `$filter` subset the Graph emulator understands (reference §3.5, §3.10, §6): the documented
 * properties of alerts or incidents, eq/ne on strings and enums, eq/ne/gt/ge/lt/le on date-times,
 * and/or, parentheses and quoted literals. Anything else is a FilterError, which becomes a 400.
 */
export class FilterError extends Error {}

/** The properties one collection lets `$filter` use. */
export interface FilterVocabulary {
  /** Enum properties and their members (any spelling Graph accepts on read). */
  readonly enums: Readonly<Record<string, readonly string[]>>;
  readonly dates: ReadonlySet<string>;
  readonly strings: ReadonlySet<string>;
  /** Properties that always hold a value, so comparing them with null is an error. */
  readonly neverNull: ReadonlySet<string>;
}

/** What `/security/alerts_v2` filters on: the eight documented alert properties. */
export const ALERT_FILTER: FilterVocabulary = {
  enums: { severity: SEVERITIES, status: STATUSES, classification: CLASSIFICATIONS, determination: DETERMINATIONS_ACCEPTED_ON_READ, serviceSource: SERVICE_SOURCES },
  dates: new Set(['createdDateTime', 'lastUpdateDateTime']),
  strings: new Set(['assignedTo']),
  neverNull: new Set(['severity', 'status']),
};

/** What `/security/incidents` filters on: the seven documented incident properties. */
export const INCIDENT_FILTER: FilterVocabulary = {
  enums: { severity: SEVERITIES, status: INCIDENT_STATUSES, classification: CLASSIFICATIONS, determination: DETERMINATIONS_ACCEPTED_ON_READ },
  dates: new Set(['createdDateTime', 'lastUpdateDateTime']),
  strings: new Set(['assignedTo']),
  neverNull: new Set(['severity', 'status']),
};

/** A compiled filter over one collection's items. */
export type Predicate<T> = (item: T) => boolean;
/** A compiled alert filter. */
export type AlertPredicate = Predicate<Alert>;
type Item = Readonly<Record<string, unknown>>;

type Token =
  | { kind: 'open' | 'close' }
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'datetime'; ms: number; text: string };

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) i++;
    else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'open' : 'close' });
      i++;
    } else if (ch === "'") {
      let value = '';
      for (i++; ; i++) {
        if (i >= text.length) throw new FilterError('unterminated string literal');
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i++;
        } else if (text[i] === "'") break;
        else value += text[i];
      }
      i++;
      tokens.push({ kind: 'string', value });
    } else {
      const match = /^[A-Za-z0-9_.:+-]+/.exec(text.slice(i));
      if (!match) throw new FilterError(`unexpected character '${ch}'`);
      const word = match[0];
      i += word.length;
      if (/^\d/.test(word)) {
        if (!DATETIME.test(word) || Number.isNaN(Date.parse(word))) throw new FilterError(`'${word}' is not a date-time literal`);
        tokens.push({ kind: 'datetime', ms: Date.parse(word), text: word });
      } else tokens.push({ kind: 'word', text: word });
    }
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly vocabulary: FilterVocabulary,
  ) {}

  parse(): Predicate<Item> {
    const predicate = this.orExpression();
    if (this.position < this.tokens.length) throw new FilterError('unexpected text after the end of the expression');
    return predicate;
  }

  private peekWord(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === 'word' ? token.text : undefined;
  }

  private orExpression(): Predicate<Item> {
    const parts = [this.andExpression()];
    while (this.peekWord() === 'or') {
      this.position++;
      parts.push(this.andExpression());
    }
    return parts.length === 1 ? (parts[0] as Predicate<Item>) : (item) => parts.some((p) => p(item));
  }

  private andExpression(): Predicate<Item> {
    const parts = [this.primary()];
    while (this.peekWord() === 'and') {
      this.position++;
      parts.push(this.primary());
    }
    return parts.length === 1 ? (parts[0] as Predicate<Item>) : (item) => parts.every((p) => p(item));
  }

  private primary(): Predicate<Item> {
    const token = this.tokens[this.position++];
    if (token?.kind === 'open') {
      const inner = this.orExpression();
      if (this.tokens[this.position++]?.kind !== 'close') throw new FilterError("missing ')'");
      return inner;
    }
    if (token?.kind !== 'word') throw new FilterError('expected a property name');
    const op = this.tokens[this.position++];
    if (op?.kind !== 'word' || !COMPARISONS.has(op.text)) throw new FilterError(`expected a comparison operator after '${token.text}'`);
    const literal = this.tokens[this.position++];
    if (!literal) throw new FilterError(`missing value after '${token.text} ${op.text}'`);
    return comparison(this.vocabulary, token.text, op.text, literal);
  }
}

function comparison(vocabulary: FilterVocabulary, property: string, op: string, literal: Token): Predicate<Item> {
  if (vocabulary.dates.has(property)) {
    if (literal.kind !== 'datetime') throw new FilterError(`${property} compares with an unquoted date-time`);
    return (item) => compare(Date.parse(String(item[property])), op, literal.ms);
  }
  const allowed = vocabulary.enums[property];
  if (allowed === undefined && !vocabulary.strings.has(property)) throw new FilterError(`property '${property}' cannot be filtered on`);
  if (op !== 'eq' && op !== 'ne') throw new FilterError(`'${op}' is not supported for ${property}`);
  const wanted = literalValue(vocabulary, property, literal, allowed);
  const normalize = property === 'determination' ? (v: string) => currentDeterminationName(v) : (v: string) => v;
  return (item) => {
    const value = item[property];
    const actual = typeof value === 'string' ? value : null;
    const equal = wanted === null ? actual === null : actual !== null && normalize(actual) === normalize(wanted);
    return op === 'eq' ? equal : !equal;
  };
}

function literalValue(vocabulary: FilterVocabulary, property: string, literal: Token, allowed: readonly string[] | undefined): string | null {
  if (literal.kind === 'word' && literal.text === 'null') {
    if (vocabulary.neverNull.has(property)) throw new FilterError(`${property} is never null`);
    return null;
  }
  if (literal.kind !== 'string') throw new FilterError(`${property} compares with a quoted string`);
  if (allowed && !allowed.includes(literal.value)) throw new FilterError(`'${literal.value}' is not a valid ${property} value`);
  return literal.value;
}

function compare(actual: number, op: string, wanted: number): boolean {
  switch (op) {
    case 'eq':
      return actual === wanted;
    case 'ne':
      return actual !== wanted;
    case 'gt':
      return actual > wanted;
    case 'ge':
      return actual >= wanted;
    case 'lt':
      return actual < wanted;
    default:
      return actual <= wanted;
  }
}

/** Compiles a `$filter` expression over `vocabulary`; throws FilterError when it is outside the supported subset. */
export function compileFilter<T extends object>(expression: string, vocabulary: FilterVocabulary): Predicate<T> {
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new FilterError('empty filter');
  const predicate = new Parser(tokens, vocabulary).parse();
  return (item) => predicate(item as Item);
}

/** Compiles an alerts `$filter` expression. */
export function compileAlertFilter(expression: string): AlertPredicate {
  return compileFilter<Alert>(expression, ALERT_FILTER);
}
