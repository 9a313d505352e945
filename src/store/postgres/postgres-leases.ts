import { checkLeaseTtl, type Lease, type LeaseStore } from '../leases.js';
import type { Queryable } from './database.js';

interface LeaseRow {
  name: string;
  holder: string;
  expires_at: Date;
}

const toLease = (row: LeaseRow | undefined): Lease | undefined => row && { name: row.name, holder: row.holder, expiresAt: row.expires_at };

/**
 * Leases in the `leases` table, shared by every instance on the database. Each operation is one
 * statement, so two instances can never both win, and time is the database's
 * (`statement_timestamp()`): instance clocks may disagree, the database has one.
 */
export class PostgresLeaseStore implements LeaseStore {
  constructor(private readonly db: Queryable) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseTtl(ttlMs);
    // On conflict the row is locked and the WHERE re-read, so of two racing acquirers one updates
    // and the other finds a live lease held by someone else, and gets no row.
    const result = await this.db.query<LeaseRow>(
      `INSERT INTO leases AS l (name, holder, acquired_at, expires_at)
       VALUES ($1, $2, statement_timestamp(), statement_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder,
             acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > statement_timestamp() THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
             expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= statement_timestamp() OR l.holder = EXCLUDED.holder
       RETURNING name, holder, expires_at`,
      [name, holder, ttlMs],
    );
    return toLease(result.rows[0]);
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseTtl(ttlMs);
    const result = await this.db.query<LeaseRow>(
      `UPDATE leases SET expires_at = statement_timestamp() + $3 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND expires_at > statement_timestamp()
       RETURNING name, holder, expires_at`,
      [name, holder, ttlMs],
    );
    return toLease(result.rows[0]);
  }

  async release(name: string, holder: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
    return (result.rowCount ?? 0) > 0;
  }

  async current(name: string): Promise<Lease | undefined> {
    const result = await this.db.query<LeaseRow>('SELECT name, holder, expires_at FROM leases WHERE name = $1 AND expires_at > statement_timestamp()', [name]);
    return toLease(result.rows[0]);
  }
}
