import type { AlertSeverity } from '../defender/alert-enums.js';
import type { IncidentStatus } from '../defender/incident.js';

/** What an analyst asked to see, before it becomes a Graph query (time and "me" are resolved later). */
export interface IncidentFilter {
  readonly severities?: readonly AlertSeverity[];
  /** Absent means the default: open incidents (active, in progress, awaiting action). Empty means any status. */
  readonly statuses?: readonly IncidentStatus[];
  /** Activity (last update) within this long. */
  readonly sinceMs?: number;
  readonly sinceLabel?: string;
  /** `me` (the reader's address), `none` (nobody owns it) or an owner's address. */
  readonly assigned?: string;
}

/** The words analysts type for incident statuses, and what each means in Graph. */
export const INCIDENT_STATUS_WORDS: Readonly<Record<string, IncidentStatus>> = {
  active: 'active',
  new: 'active',
  inprogress: 'inProgress',
  'in-progress': 'inProgress',
  resolved: 'resolved',
  redirected: 'redirected',
  merged: 'redirected',
  awaiting: 'awaitingAction',
  awaitingaction: 'awaitingAction',
};
