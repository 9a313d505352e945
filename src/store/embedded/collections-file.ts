import { TextFile } from 'lowdb/node';
import { StoreError } from '../../errors.js';

/** The collections file's format. Bump it only for changes an older SOC Bridge cannot read. */
export const COLLECTIONS_FILE_VERSION = 2;

/** The file as stored: each collection's records, in the order they were first stored. */
export interface CollectionsDocument {
  readonly schemaVersion: number;
  readonly collections: Record<string, unknown[]>;
}

/**
 * The embedded store's small collections, in one JSON file written atomically (temp file and
 * rename, concurrent writes coalesced: lowdb's writer). It holds configuration-sized data only,
 * so rewriting it whole on a change costs little; logs and delivery records live in files of
 * their own.
 */
export class CollectionsFile {
  private readonly file: TextFile;

  constructor(readonly path: string) {
    this.file = new TextFile(path);
  }

  /** The raw text, or null when there is no file yet. */
  async readText(): Promise<string | null> {
    try {
      return await this.file.read();
    } catch (error) {
      throw new StoreError('store.unreadable', `Cannot read the store file ${this.path}: ${(error as Error).message}`, error);
    }
  }

  write(document: CollectionsDocument): Promise<void> {
    return this.file.write(JSON.stringify(document, null, 1));
  }
}

/** Parses the file's JSON, refusing (and never overwriting) a file that is not JSON or comes from a newer SOC Bridge. */
export function parseDocumentJson(text: string, path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoreError(
      'store.corrupt',
      `The store file ${path} is not valid JSON (${(error as Error).message}). It was left untouched: restore it from a backup, or move it away to start empty.`,
      error,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new StoreError('store.corrupt', `The store file ${path} does not hold SOC Bridge data (not a JSON object). It was left untouched: restore it from a backup, or move it away to start empty.`);
  }
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === 'number' && version > COLLECTIONS_FILE_VERSION) {
    throw new StoreError(
      'store.corrupt',
      `The store file ${path} has schema version ${version}, written by a newer SOC Bridge (this one reads version ${COLLECTIONS_FILE_VERSION}). Upgrade SOC Bridge; the file was left untouched.`,
    );
  }
  return json as Record<string, unknown>;
}
