/**
 * Messages between a benchmark and its remote-services child (the Entra and Graph emulators in a
 * process of their own). Every request carries an id that its answer repeats.
 */

/** The MSSP's multi-tenant app as the emulated Entra knows it. */
export interface BenchApp {
  readonly clientId: string;
  readonly secret: string;
}

/** One emulated customer: consented in Entra and seeded with alerts in Graph. */
export interface BenchTenant {
  readonly tenantId: string;
  readonly domain: string;
  readonly orgName: string;
  readonly handle: string;
  readonly alerts: number;
}

export interface SetupRequest {
  readonly type: 'setup';
  readonly app: BenchApp;
  readonly tenants: readonly BenchTenant[];
  /** Alerts are generated relative to this instant (ISO), so both processes agree on "now". */
  readonly now: string;
  /** Graph's per-app-per-tenant throttle the emulator enforces. */
  readonly throttle: { readonly limit: number; readonly periodMs: number };
  /** Graph answers every request after this long (real Graph takes a few hundred ms for a PATCH). */
  readonly graphResponseDelayMs?: number;
  readonly tlsCertPath: string;
  readonly tlsKeyPath: string;
}

/** New alerts raised now: `count` per tenant, each created and updated at the moment it is stored. */
export interface RaiseRequest {
  readonly type: 'raise';
  readonly batches: readonly { readonly tenantId: string; readonly count: number; readonly severity: string; readonly tag: string }[];
}

/** One raised alert and when (epoch ms, the child's clock) it became visible to Graph clients. */
export interface RaisedAlert {
  readonly tenantId: string;
  readonly alertId: string;
  readonly atMs: number;
}

export type RemoteRequest = { readonly id: number } & (SetupRequest | RaiseRequest | { readonly type: 'stats' } | { readonly type: 'stop' });

/** Counters of the emulators and the child's own CPU time, cumulative since setup. */
export interface RemoteStats {
  readonly graphRequests: number;
  /** Graph answers other than 200, by status. */
  readonly graphNon200: Readonly<Record<string, number>>;
  /** 429s the per-tenant throttle gave. */
  readonly graphThrottled: number;
  readonly tokenRequests: number;
  readonly discoveryRequests: number;
  /** process.cpuUsage() of the child, user + system, in microseconds. */
  readonly cpuMicros: number;
}

export type RemoteReply = { readonly id: number } & (
  | { readonly type: 'ready'; readonly authorityHost: string; readonly graphBaseUrl: string; readonly seededAlerts: number; readonly seededIncidents: number }
  | { readonly type: 'stats'; readonly stats: RemoteStats }
  | { readonly type: 'raised'; readonly alerts: readonly RaisedAlert[] }
  | { readonly type: 'stopped' }
  | { readonly type: 'error'; readonly message: string }
);
