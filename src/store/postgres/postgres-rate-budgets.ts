import type { RateWindow } from '../../rate-limit/sliding-window.js';
import type { BudgetTake, RateBudgetStore, TakeOptions } from '../rate-budgets.js';
import type { Queryable } from './database.js';

/**
 * Rate budgets in the `rate_budgets` table, on the database's clock. Taking is one statement: the
 * upsert locks the budget's row, drops the times that left the longest window and appends now only
 * while every window has room (less the reserve) and no pause is on, so instances taking at once are
 * counted one by one.
 */
export class PostgresRateBudgets implements RateBudgetStore {
  constructor(private readonly db: Queryable) {}

  async take(name: string, windows: readonly RateWindow[], options: TakeOptions = {}): Promise<BudgetTake> {
    const limits = windows.map((w) => w.limit);
    const periods = windows.map((w) => w.periodMs);
    const longest = Math.max(...periods);
    const reserve = windows.map((_, i) => options.reserve?.[i] ?? 0);
    const admitted = await this.db.query<{ used: number }>(
      `INSERT INTO rate_budgets AS b (name, events) VALUES ($1, ARRAY[statement_timestamp()])
       ON CONFLICT (name) DO UPDATE
         SET events = ARRAY(SELECT e FROM unnest(b.events) AS e WHERE e > statement_timestamp() - $4 * interval '1 millisecond' ORDER BY e) || statement_timestamp()
         WHERE b.paused_until <= statement_timestamp()
           AND NOT EXISTS (
             SELECT 1 FROM unnest($2::int[], $3::int[], $5::int[]) AS w(lim, per, kept)
             WHERE (SELECT count(*) FROM unnest(b.events) AS e WHERE e > statement_timestamp() - w.per * interval '1 millisecond') >= GREATEST(1, w.lim - w.kept))
       RETURNING cardinality(events) AS used`,
      [name, limits, periods, longest, reserve],
    );
    const used = admitted.rows[0]?.used;
    if (used !== undefined) return { admitted: true, used };
    // Full or paused: the wait is until the pause ends or, in the fullest window, the event that blocks leaves it.
    const waiting = await this.db.query<{ wait_ms: number | null }>(
      `SELECT GREATEST(
         EXTRACT(EPOCH FROM (b.paused_until - statement_timestamp())) * 1000,
         (SELECT max(EXTRACT(EPOCH FROM (blocker.e + w.per * interval '1 millisecond' - statement_timestamp())) * 1000)
            FROM unnest($2::int[], $3::int[], $4::int[]) AS w(lim, per, kept)
            CROSS JOIN LATERAL (
              SELECT e FROM unnest(b.events) AS e WHERE e > statement_timestamp() - w.per * interval '1 millisecond'
              ORDER BY e DESC OFFSET GREATEST(1, w.lim - w.kept) - 1 LIMIT 1) AS blocker)
       ) AS wait_ms
       FROM rate_budgets b WHERE b.name = $1`,
      [name, limits, periods, reserve],
    );
    const waitMs = Number(waiting.rows[0]?.wait_ms ?? 1);
    return { admitted: false, waitMs: Math.max(1, Math.ceil(Number.isFinite(waitMs) ? waitMs : 1)) };
  }

  async pause(name: string, ms: number): Promise<void> {
    await this.db.query(
      `INSERT INTO rate_budgets AS b (name, events, paused_until) VALUES ($1, '{}', statement_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET paused_until = GREATEST(b.paused_until, EXCLUDED.paused_until)`,
      [name, Math.max(0, Math.round(ms))],
    );
  }

  async headroom(name: string, window: RateWindow): Promise<number> {
    const result = await this.db.query<{ used: string; paused: boolean }>(
      `SELECT (SELECT count(*) FROM unnest(events) AS e WHERE e > statement_timestamp() - $2 * interval '1 millisecond') AS used,
              paused_until > statement_timestamp() AS paused
       FROM rate_budgets WHERE name = $1`,
      [name, window.periodMs],
    );
    const row = result.rows[0];
    if (!row) return window.limit;
    return row.paused ? 0 : Math.max(0, window.limit - Number(row.used));
  }
}
