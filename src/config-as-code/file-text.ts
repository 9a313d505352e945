import { Document, LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { z } from 'zod/v4';
import { UsageError } from '../errors.js';
import { CONFIG_FILE_VERSION, ConfigFileSchema, ENTRY_SCHEMAS, type ConfigFile, type ConfigSection } from './file-schema.js';

/** Something wrong in a configuration file, at a line of it when that is known. */
export interface FileProblem {
  readonly line: number | undefined;
  readonly message: string;
}

/** A file refused as a whole: every problem found, each with its line. Nothing was written. */
export class ConfigFileError extends UsageError {
  constructor(
    readonly fileName: string,
    readonly problems: readonly FileProblem[],
  ) {
    super(problems.map((p) => `${fileName}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`).join('\n'));
  }
}

/** A path into the file: section, entry index, key. */
export type FilePath = readonly (string | number)[];

/** A configuration file as read: its content, and where each part of it is. */
export interface ReadConfigFile {
  readonly name: string;
  readonly content: ConfigFile;
  /** The line of the key or list item `path` names; of the nearest enclosing one that exists otherwise. */
  lineOf(path: FilePath): number | undefined;
}

/**
 * Reads a configuration file's text: YAML, or JSON (which YAML reads as well, so both get line
 * numbers). Throws ConfigFileError with every syntax or schema problem and its line.
 */
export function readConfigFile(text: string, name: string): ReadConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      name,
      doc.errors.map((e) => ({ line: e.linePos?.[0].line, message: `not valid YAML or JSON: ${firstLine(e.message)}` })),
    );
  }
  const lineOf = (path: FilePath) => {
    const offset = offsetOf(doc.contents, path);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (data === null || data === undefined) throw new ConfigFileError(name, [{ line: undefined, message: `the file is empty: it needs "version: ${CONFIG_FILE_VERSION}" and the sections to apply (tenants, roles, links, rules).` }]);
  const parsed = ConfigFileSchema.safeParse(data);
  if (!parsed.success) throw new ConfigFileError(name, parsed.error.issues.flatMap((issue) => problemsOf(issue, lineOf)));
  return { name, content: parsed.data, lineOf };
}

/** The file's text: YAML with a header comment, or JSON when `format` is json. */
export function writeConfigFile(content: ConfigFile, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(content, null, 2)}\n`;
  const doc = new Document(content);
  doc.commentBefore = [
    ' SOC Bridge configuration: npm run config -- diff|apply <this file>',
    ' Sections: tenants (handles and names), roles, links, rules (the keys and values of "rule add").',
    ' A section left out is left as it is; see README "Configuration as code".',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** Where `path` starts in the text: the key of a map entry, or the item of a list. */
function offsetOf(root: unknown, path: FilePath): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function problemsOf(issue: z.core.$ZodIssue, lineOf: (path: FilePath) => number | undefined): FileProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => ({
      line: lineOf([...path, key]),
      message: `${where(path)}"${key}" is not a key here.${allowed ? ` Keys: ${allowed.join(', ')}.` : ''}`,
    }));
  }
  return [{ line: lineOf(path), message: `${where(path)}${issue.message}` }];
}

/** `rules[2].severity: ` for messages (the line says where; this says what). */
function where(path: FilePath): string {
  if (path.length === 0) return '';
  return `${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')}: `;
}

function allowedKeys(path: FilePath): string[] | undefined {
  const [section] = path;
  if (path.length === 0) return Object.keys(ConfigFileSchema.shape);
  if (path.length !== 2) return undefined;
  const entry = ENTRY_SCHEMAS[section as ConfigSection] as { shape: object } | undefined;
  return entry ? Object.keys(entry.shape) : undefined;
}
