import { MAILBOX_RETENTION_MS, type Mailbox, type MailboxRequest } from '../mailbox.js';
import type { Queryable } from './database.js';

interface RequestRow {
  id: string;
  kind: string;
  body: unknown;
  posted_at: Date;
}

/** How often, at most, a taker clears requests older than MAILBOX_RETENTION_MS. */
const SWEEP_EVERY_MS = 60_000;

/**
 * A mailbox in the `mailbox_requests` table. `take` claims rows with `FOR UPDATE SKIP LOCKED`, so
 * two takers never get the same request and neither waits for the other.
 */
export class PostgresMailbox implements Mailbox {
  private lastSweepMs = 0;

  constructor(
    private readonly db: Queryable,
    private readonly name: string,
  ) {}

  async post(kind: string, body: unknown): Promise<string> {
    const result = await this.db.query<{ id: string }>('INSERT INTO mailbox_requests (mailbox, kind, body) VALUES ($1, $2, $3) RETURNING id', [this.name, kind, JSON.stringify(body ?? null)]);
    return String(result.rows[0]?.id);
  }

  async take(limit: number): Promise<MailboxRequest[]> {
    await this.sweep();
    const result = await this.db.query<RequestRow>(
      `UPDATE mailbox_requests SET taken_at = statement_timestamp()
       WHERE id IN (
         SELECT id FROM mailbox_requests WHERE mailbox = $1 AND taken_at IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, kind, body, posted_at`,
      [this.name, limit],
    );
    return result.rows.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => ({ id: String(row.id), kind: row.kind, body: row.body, postedAt: row.posted_at.toISOString() }));
  }

  async answer(id: string, body: unknown): Promise<void> {
    await this.db.query('UPDATE mailbox_requests SET answer = $2, answered_at = statement_timestamp() WHERE id = $1', [id, JSON.stringify(body ?? null)]);
  }

  async answerOf(id: string): Promise<{ body: unknown } | undefined> {
    const result = await this.db.query<{ answer: unknown }>('SELECT answer FROM mailbox_requests WHERE id = $1 AND answered_at IS NOT NULL', [id]);
    const row = result.rows[0];
    return row ? { body: row.answer } : undefined;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweepMs < SWEEP_EVERY_MS) return;
    this.lastSweepMs = now;
    await this.db.query(`DELETE FROM mailbox_requests WHERE posted_at < statement_timestamp() - $1 * interval '1 millisecond'`, [MAILBOX_RETENTION_MS]);
  }
}
