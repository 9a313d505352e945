import { StoreError } from '../../errors.js';
import type { RecordChange } from '../storage.js';

/** Where the parts of a version-1 store file go in today's layout. */
export interface ConvertedStore {
  readonly collections: Record<string, unknown[]>;
  readonly logs: Record<string, unknown[]>;
  readonly recordSets: Record<string, RecordChange[]>;
}

/** Version 1 kept the audit trail in the file; today it is the `audit` log. */
const LOG_SECTIONS = ['audit'] as const;
/** Version 1 kept delivery's records (keyed objects per section) in the file; today they are the `delivery` record set. */
const RECORD_SET_SECTIONS = ['delivery'] as const;
/** Version 1 kept settings as one object; today they are the one record of the `settings` collection, keyed `global`. */
export const SETTINGS_RECORD_ID = 'global';

/**
 * Converts a version-1 store file (everything in one document, rewritten on every change) into
 * collections, logs and record sets. Each list-valued section becomes the collection of that name.
 * Records are checked later, by the capability that owns each collection.
 */
export function convertVersion1(json: Record<string, unknown>, path: string): ConvertedStore {
  if (json.schemaVersion !== 1) {
    throw new StoreError('store.corrupt', `The store file ${path} has no schema version SOC Bridge knows (${String(json.schemaVersion)}). It was left untouched: restore it from a backup, or move it away to start empty.`);
  }
  const collections: Record<string, unknown[]> = {};
  const logs: Record<string, unknown[]> = {};
  const recordSets: Record<string, RecordChange[]> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === 'schemaVersion') continue;
    if ((LOG_SECTIONS as readonly string[]).includes(name)) logs[name] = listOf(value, name, path);
    else if ((RECORD_SET_SECTIONS as readonly string[]).includes(name)) recordSets[name] = recordsOf(value, name, path);
    else if (name === 'settings') collections.settings = [{ id: SETTINGS_RECORD_ID, ...objectOf(value, name, path) }];
    else collections[name] = listOf(value, name, path);
  }
  return { collections, logs, recordSets };
}

function listOf(value: unknown, name: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(path, name, 'expected a list');
  return value;
}

function objectOf(value: unknown, name: string, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(path, name, 'expected an object');
  return value as Record<string, unknown>;
}

/** `{ section: { key: record } }` as record-set changes. */
function recordsOf(value: unknown, name: string, path: string): RecordChange[] {
  const out: RecordChange[] = [];
  for (const [section, records] of Object.entries(objectOf(value, name, path))) {
    for (const [key, record] of Object.entries(objectOf(records, `${name}.${section}`, path))) out.push({ section, key, record });
  }
  return out;
}

function invalid(path: string, where: string, problem: string): StoreError {
  return new StoreError(
    'store.corrupt',
    `The store file ${path} does not hold valid SOC Bridge data: at ${where}, ${problem}. It was left untouched: restore it from a backup, or move it away to start empty.`,
  );
}
