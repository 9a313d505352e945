import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { StoreError } from '../errors.js';
import { lockDataDir, type ReleaseDataDirLock } from './data-dir-lock.js';
import { STORE_SCHEMA_VERSION, StoreDataSchema, emptyStoreData, type StoreData } from './schema.js';
import type { Mutation, Store } from './store.js';

export const STORE_FILE_NAME = 'soc-bridge.json';

/**
 * lowdb adapter over steno's atomic writer (temp file + rename, concurrent writes coalesced) that
 * validates the file on read and remembers the last text it wrote, so a failed mutation can be
 * rolled back without cloning the data on every change.
 */
class ValidatedJsonFile implements Adapter<StoreData> {
  private readonly file: TextFile;
  private lastText = '';

  constructor(readonly path: string) {
    this.file = new TextFile(path);
  }

  async read(): Promise<StoreData | null> {
    let text: string | null;
    try {
      text = await this.file.read();
    } catch (error) {
      throw new StoreError('store.unreadable', `Cannot read the store file ${this.path}: ${(error as Error).message}`, error);
    }
    if (text === null) return null;
    const data = parseStoreText(text, this.path);
    this.lastText = serialize(data);
    return data;
  }

  write(data: StoreData): Promise<void> {
    // Serialized synchronously, before steno queues the write, so lastText always matches the latest mutation.
    this.lastText = serialize(data);
    return this.file.write(this.lastText);
  }

  /** The data as of the last successful mutation. */
  lastWritten(): StoreData {
    return JSON.parse(this.lastText) as StoreData;
  }
}

function serialize(data: StoreData): string {
  return JSON.stringify(data, null, 1);
}

/** Parses and validates the store file's text; throws StoreError saying what is wrong and that nothing was overwritten. */
export function parseStoreText(text: string, path: string): StoreData {
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
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > STORE_SCHEMA_VERSION) {
    throw new StoreError(
      'store.corrupt',
      `The store file ${path} has schema version ${version}, written by a newer SOC Bridge (this one reads version ${STORE_SCHEMA_VERSION}). Upgrade SOC Bridge; the file was left untouched.`,
    );
  }
  const parsed = StoreDataSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join('.') : '(top level)';
    throw new StoreError(
      'store.corrupt',
      `The store file ${path} does not hold valid SOC Bridge data: at ${where}, ${first?.message ?? 'invalid'}. It was left untouched: restore it from a backup, or move it away to start empty.`,
    );
  }
  return parsed.data;
}

/** The lowdb implementation of Store: one JSON file in the data folder, used by one process at a time. */
export class LowdbStore implements Store {
  private closed = false;
  private lockLost: Error | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly adapter: ValidatedJsonFile,
    private readonly releaseLock: ReleaseDataDirLock,
  ) {}

  /**
   * Opens (or creates) the store in `dataDir` and locks the folder for this process. Throws
   * StoreError if another process holds the folder, or the file is unreadable or invalid.
   */
  static async open(dataDir: string): Promise<LowdbStore> {
    try {
      await mkdir(dataDir, { recursive: true });
      await access(dataDir, constants.W_OK);
    } catch (error) {
      throw new StoreError('store.unreadable', `The data folder ${dataDir} cannot be created or written: ${(error as Error).message}`, error);
    }
    let store: LowdbStore | undefined;
    const releaseLock = await lockDataDir(dataDir, (error) => {
      if (store) store.lockLost = error;
    });
    try {
      const adapter = new ValidatedJsonFile(join(dataDir, STORE_FILE_NAME));
      const db = new Low<StoreData>(adapter, emptyStoreData());
      const existing = await adapter.read();
      store = new LowdbStore(db, adapter, releaseLock);
      if (existing === null) {
        await store.persist();
      } else {
        db.data = existing;
      }
      return store;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  get path(): string {
    return this.adapter.path;
  }

  read(): Readonly<StoreData> {
    return this.db.data;
  }

  async update<T>(mutate: Mutation<T>): Promise<T> {
    if (this.closed) throw new StoreError('store.unreadable', 'The store is closed; the change was not made.');
    if (this.lockLost) {
      throw new StoreError('store.locked', `This process lost its lock on the data folder (${this.lockLost.message}), so another may be using it; the change was not made. Restart SOC Bridge.`);
    }
    let result: T;
    try {
      result = mutate(this.db.data) as T;
    } catch (error) {
      this.db.data = this.adapter.lastWritten();
      throw error;
    }
    await this.persist();
    return result;
  }

  flush(): Promise<void> {
    return this.lastWrite;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.releaseLock();
  }

  private persist(): Promise<void> {
    const write = this.db.write();
    this.lastWrite = write.catch(() => undefined);
    return write;
  }
}
