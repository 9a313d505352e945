import type { StoreData } from './schema.js';

/** A change to the store: runs synchronously on the live data, so it is never interleaved with another. */
export type Mutation<T> = (data: StoreData) => T extends Promise<unknown> ? never : T;

/**
 * The persistence port every service uses. Reads are synchronous snapshots; every change goes
 * through `update`, which resolves once the change is on disk.
 */
export interface Store {
  /** The current data. Treat it as read-only: change it only inside `update`. */
  read(): Readonly<StoreData>;
  /**
   * Applies `mutate` and persists the result. Mutations are serialized; one that throws leaves the
   * data exactly as it was before it ran, and its error is rethrown.
   */
  update<T>(mutate: Mutation<T>): Promise<T>;
  /** Resolves when every change made so far is on disk. */
  flush(): Promise<void>;
  /** Flushes and refuses further changes. */
  close(): Promise<void>;
}
