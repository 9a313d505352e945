import type { Alert } from '../defender/alert.js';
import { IncidentBook } from './incident-book.js';

/**
 * What the Graph emulator keeps per customer tenant: its alerts and the incidents they belong to,
 * its throttle, the faults a test queued for it, and counters that tests and benchmarks read.
 */

/** One scripted misbehaviour for the tenant's next request; fields combine (delay, then the rest). */
export interface GraphFault {
  /** Wait this long (real time, so client timeouts fire) before answering. */
  delayMs?: number;
  /** Answer with this status and a Graph error body (429 gets `Retry-After` when given). */
  status?: number;
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
  /** Answer with exactly this body (status defaults to 200): for malformed-response tests. */
  rawBody?: string;
  /** Close the connection without answering: a network error for the client. */
  dropConnection?: boolean;
}

/** Requests a tenant sent, in total and per answered status. */
export interface TenantCounters {
  requests: number;
  byStatus: Record<number, number>;
  /** 429s the throttle (not an injected fault) answered. */
  throttled: number;
}

/** One request as the emulator saw it. */
export interface RecordedRequest {
  atMs: number;
  method: string;
  /** Path and query as sent. */
  url: string;
  status?: number;
}

/**
 * A token bucket standing in for Graph's own throttle: `limit` requests of burst, refilled at
 * `limit` per `periodMs`. It models the remote service; clients use SlidingWindowLimiter.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly limit: number,
    private readonly periodMs: number,
    nowMs: number,
  ) {
    this.tokens = limit;
    this.lastMs = nowMs;
  }

  /** Takes a token, or returns how many milliseconds until one is available. */
  take(nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.tokens = Math.min(this.limit, this.tokens + ((nowMs - this.lastMs) * this.limit) / this.periodMs);
    this.lastMs = Math.max(this.lastMs, nowMs);
    // Refills are fractional; a hair of rounding must not turn a compliant client away.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - this.tokens) * this.periodMs) / this.limit) };
  }
}

/** One tenant's data and instrumentation. */
export class TenantState {
  readonly alerts = new Map<string, Alert>();
  /** Kept consistent with `alerts`: every change goes through `put` and `remove`. */
  readonly incidents = new IncidentBook(this.alerts, (alert) => this.put(alert));
  readonly faults: GraphFault[] = [];
  readonly log: RecordedRequest[] = [];
  counters: TenantCounters = { requests: 0, byStatus: {}, throttled: 0 };

  constructor(
    readonly bucket: TokenBucket | undefined,
    /** Called after every change to the tenant's alerts or incidents (the sandbox keeps its world on disk). */
    readonly changed: () => void = () => {},
  ) {}

  /** Stores an alert (new or changed), and keeps its incident in step. */
  put(alert: Alert): void {
    const previous = this.alerts.get(alert.id);
    this.alerts.set(alert.id, alert);
    this.incidents.alertStored(alert, previous);
    this.changed();
  }

  /** Stores many alerts at once: incidents first met here are made from all their alerts, not the first one stored. */
  putAll(alerts: readonly Alert[]): void {
    const stored = alerts.map((alert) => ({ alert, previous: this.alerts.get(alert.id) }));
    for (const alert of alerts) this.alerts.set(alert.id, alert);
    this.incidents.alertsStored(stored);
    this.changed();
  }

  /** Forgets alerts; returns how many were there. */
  remove(alertIds: readonly string[]): number {
    let removed = 0;
    for (const id of alertIds) if (this.alerts.delete(id)) removed++;
    if (removed > 0) {
      this.incidents.alertsRemoved();
      this.changed();
    }
    return removed;
  }

  /** Records an answered status. */
  count(status: number): void {
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
  }

  /** Alerts newest first (by createdDateTime, then id, so pages are stable). */
  sortedAlerts(): Alert[] {
    // Each time parsed once, not once per comparison: tenants hold thousands of alerts.
    return [...this.alerts.values()]
      .map((alert) => ({ alert, createdMs: Date.parse(alert.createdDateTime) }))
      .sort((a, b) => b.createdMs - a.createdMs || (a.alert.id < b.alert.id ? -1 : a.alert.id > b.alert.id ? 1 : 0))
      .map((entry) => entry.alert);
  }
}
