import {
  CLASSIFICATIONS,
  DETERMINATIONS_ACCEPTED_ON_READ,
  SERVICE_SOURCES,
  SEVERITIES,
  STATUSES,
  currentDeterminationName,
  type Alert,
} from '../defender/alert.js';

/**
 * The `$filter` subset the Graph emulator understands (reference §3.5, §3.10): the eight
 * documented alert properties, eq/ne on strings and enums, eq/ne/gt/ge/lt/le on date-times,
 * and/or, parentheses and quoted literals. Anything else is a FilterError, which becomes a 400.
 */
export class FilterError extends Error {}

/** A compiled filter. */
export type AlertPredicate = (alert: Alert) => boolean;

type Token =
  | { kind: 'open' | 'close' }
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'datetime'; ms: number; text: string };

const ENUM_PROPERTIES: Record<string, readonly string[]> = {
  severity: SEVERITIES,
  status: STATUSES,
  classification: CLASSIFICATIONS,
  determination: DETERMINATIONS_ACCEPTED_ON_READ,
  serviceSource: SERVICE_SOURCES,
};
const DATE_PROPERTIES = new Set(['createdDateTime', 'lastUpdateDateTime']);
const STRING_PROPERTIES = new Set(['assignedTo']);
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

  constructor(private readonly tokens: Token[]) {}

  parse(): AlertPredicate {
    const predicate = this.orExpression();
    if (this.position < this.tokens.length) throw new FilterError('unexpected text after the end of the expression');
    return predicate;
  }

  private peekWord(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === 'word' ? token.text : undefined;
  }

  private orExpression(): AlertPredicate {
    const parts = [this.andExpression()];
    while (this.peekWord() === 'or') {
      this.position++;
      parts.push(this.andExpression());
    }
    return parts.length === 1 ? (parts[0] as AlertPredicate) : (alert) => parts.some((p) => p(alert));
  }

  private andExpression(): AlertPredicate {
    const parts = [this.primary()];
    while (this.peekWord() === 'and') {
      this.position++;
      parts.push(this.primary());
    }
    return parts.length === 1 ? (parts[0] as AlertPredicate) : (alert) => parts.every((p) => p(alert));
  }

  private primary(): AlertPredicate {
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
    return comparison(token.text, op.text, literal);
  }
}

function comparison(property: string, op: string, literal: Token): AlertPredicate {
  if (DATE_PROPERTIES.has(property)) {
    if (literal.kind !== 'datetime') throw new FilterError(`${property} compares with an unquoted date-time`);
    const key = property as 'createdDateTime' | 'lastUpdateDateTime';
    return (alert) => compare(Date.parse(alert[key]), op, literal.ms);
  }
  const allowed = ENUM_PROPERTIES[property];
  if (allowed === undefined && !STRING_PROPERTIES.has(property)) throw new FilterError(`property '${property}' cannot be filtered on`);
  if (op !== 'eq' && op !== 'ne') throw new FilterError(`'${op}' is not supported for ${property}`);
  const key = property as 'assignedTo' | 'severity' | 'status' | 'classification' | 'determination' | 'serviceSource';
  const wanted = literalValue(property, literal, allowed);
  const normalize = property === 'determination' ? (v: string) => currentDeterminationName(v) : (v: string) => v;
  return (alert) => {
    const actual = alert[key] ?? null;
    const equal = wanted === null ? actual === null : actual !== null && normalize(actual) === normalize(wanted);
    return op === 'eq' ? equal : !equal;
  };
}

function literalValue(property: string, literal: Token, allowed: readonly string[] | undefined): string | null {
  if (literal.kind === 'word' && literal.text === 'null') {
    if (property === 'severity' || property === 'status') throw new FilterError(`${property} is never null`);
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

/** Compiles a `$filter` expression; throws FilterError when it is outside the supported subset. */
export function compileAlertFilter(expression: string): AlertPredicate {
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new FilterError('empty filter');
  return new Parser(tokens).parse();
}
