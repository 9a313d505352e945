import type { Queryable } from '../database.js';

/**
 * One step of the database schema. Versions run 1, 2, 3… in order, each once, inside the
 * transaction that records it in `schema_migrations`. A released migration is never edited:
 * a change is a new one.
 */
export interface Migration {
  readonly version: number;
  /** Short kebab-case description, recorded with the version. */
  readonly name: string;
  up(tx: Queryable): Promise<void>;
}
