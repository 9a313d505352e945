import { UsageError } from '../errors.js';
import { SERVICE_SOURCES, type AlertSeverity, type AlertStatus, type ServiceSource } from '../defender/alert-enums.js';

/** What an analyst asked to see, before it becomes a Graph query (time is resolved later, against the clock). */
export interface AlertFilter {
  readonly severities?: readonly AlertSeverity[];
  /** Absent means the default: open alerts (new and in progress). Empty means any status. */
  readonly statuses?: readonly AlertStatus[];
  readonly sources?: readonly ServiceSource[];
  readonly sinceMs?: number;
  readonly sinceLabel?: string;
}

/** The words analysts type for severities, statuses and service sources, and what each means in Graph. */
export const SEVERITY_WORDS: Readonly<Record<string, AlertSeverity>> = {
  high: 'high', medium: 'medium', med: 'medium', low: 'low', informational: 'informational', info: 'informational', unknown: 'unknown',
};
export const STATUS_WORDS: Readonly<Record<string, AlertStatus>> = {
  new: 'new', inprogress: 'inProgress', 'in-progress': 'inProgress', active: 'inProgress', resolved: 'resolved', unknown: 'unknown',
};
/** Short names analysts type for the service that raised an alert. */
export const SOURCE_ALIASES: Readonly<Record<string, ServiceSource>> = {
  endpoint: 'microsoftDefenderForEndpoint', mde: 'microsoftDefenderForEndpoint',
  identity: 'microsoftDefenderForIdentity', mdi: 'microsoftDefenderForIdentity',
  cloudapps: 'microsoftDefenderForCloudApps', mdca: 'microsoftDefenderForCloudApps',
  office365: 'microsoftDefenderForOffice365', office: 'microsoftDefenderForOffice365', mdo: 'microsoftDefenderForOffice365',
  xdr: 'microsoft365Defender', m365d: 'microsoft365Defender',
  entra: 'azureAdIdentityProtection', aadip: 'azureAdIdentityProtection',
  appgovernance: 'microsoftAppGovernance', dlp: 'dataLossPrevention',
  cloud: 'microsoftDefenderForCloud', mdc: 'microsoftDefenderForCloud', sentinel: 'microsoftSentinel',
};

export function sourceOf(part: string): ServiceSource {
  const word = part.trim().toLowerCase();
  const alias = SOURCE_ALIASES[word];
  if (alias) return alias;
  const exact = SERVICE_SOURCES.find((s) => s.toLowerCase() === word);
  if (exact && exact !== 'unknownFutureValue') return exact;
  throw new UsageError(`"${part.slice(0, 60)}" is not a service source. Use a short name (${Object.keys(SOURCE_ALIASES).filter((_, i) => i % 2 === 0).join(', ')}) or a Graph serviceSource value such as microsoftDefenderForEndpoint.`);
}
