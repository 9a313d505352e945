/** What Teams delivery did since start: shown by `DeliveryService.stats()`, read by tests and benchmarks. */
export interface TeamsDeliveryCounters {
  posted: number;
  postedWithoutId: number;
  edited: number;
  digests: number;
  digestedAlerts: number;
  throttled: number;
  transientFailures: number;
  globalPauses: number;
  gone: number;
  failed: number;
  /** Incident threads started afresh because their incident card was deleted. */
  threadsRestarted: number;
}

export function emptyTeamsCounters(): TeamsDeliveryCounters {
  return { posted: 0, postedWithoutId: 0, edited: 0, digests: 0, digestedAlerts: 0, throttled: 0, transientFailures: 0, globalPauses: 0, gone: 0, failed: 0, threadsRestarted: 0 };
}
