/**
 * The enumerations of `microsoft.graph.security.alert` (reference §3.3), in Graph's own order.
 * Members after `unknownFutureValue` are "evolvable": Graph sends them only to callers that ask
 * with `Prefer: include-unknown-enum-members`, so their position in each list matters.
 */

/** The sentinel Graph substitutes for evolvable members when the Prefer header is missing. */
export const UNKNOWN_FUTURE_VALUE = 'unknownFutureValue';

/** Alert severities. */
export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high', 'unknownFutureValue'] as const;
export type AlertSeverity = (typeof SEVERITIES)[number];

/** Alert statuses. */
export const STATUSES = ['unknown', 'new', 'inProgress', 'resolved', 'unknownFutureValue'] as const;
export type AlertStatus = (typeof STATUSES)[number];

/** Statuses an update may set (the PATCH page omits `unknown`). */
export const WRITABLE_STATUSES = ['new', 'inProgress', 'resolved'] as const;
export type WritableStatus = (typeof WRITABLE_STATUSES)[number];

/** Alert classifications. */
export const CLASSIFICATIONS = [
  'unknown',
  'falsePositive',
  'truePositive',
  'informationalExpectedActivity',
  'unknownFutureValue',
] as const;
export type AlertClassification = (typeof CLASSIFICATIONS)[number];

/** Classifications an update may set. */
export const WRITABLE_CLASSIFICATIONS = ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity'] as const;
export type WritableClassification = (typeof WRITABLE_CLASSIFICATIONS)[number];

/** Determinations under their current names (metadata and SDKs): the names SOC Bridge sends. */
export const DETERMINATIONS = [
  'unknown',
  'apt',
  'malware',
  'securityPersonnel',
  'securityTesting',
  'unwantedSoftware',
  'other',
  'multiStagedAttack',
  'compromisedAccount',
  'phishing',
  'maliciousUserActivity',
  'notMalicious',
  'notEnoughDataToValidate',
  'confirmedActivity',
  'lineOfBusinessApplication',
  'unknownFutureValue',
] as const;
export type AlertDetermination = (typeof DETERMINATIONS)[number];

/** Old determination names some Graph pages still list, mapped to the current ones. */
export const LEGACY_DETERMINATIONS = {
  compromisedUser: 'compromisedAccount',
  clean: 'notMalicious',
  insufficientData: 'notEnoughDataToValidate',
  confirmedUserActivity: 'confirmedActivity',
} as const satisfies Record<string, AlertDetermination>;
export type LegacyDetermination = keyof typeof LEGACY_DETERMINATIONS;

/** Every determination accepted on read: current names plus the old ones. */
export const DETERMINATIONS_ACCEPTED_ON_READ = [
  ...DETERMINATIONS,
  ...(Object.keys(LEGACY_DETERMINATIONS) as LegacyDetermination[]),
] as const;

/** Determinations an update may set (current names only; old ones are translated first). */
export const WRITABLE_DETERMINATIONS = DETERMINATIONS.filter(
  (d): d is Exclude<AlertDetermination, 'unknownFutureValue'> => d !== UNKNOWN_FUTURE_VALUE,
);
export type WritableDetermination = Exclude<AlertDetermination, 'unknownFutureValue'>;

/**
 * The determinations that go with each classification, as the Defender portal offers them and as
 * Graph describes the values ("a true positive alert that detected…", "a false alert…", activity
 * "considered OK because it's a known user activity"). `apt` and `securityPersonnel` remain in
 * Graph's enum but the portal no longer offers them, so neither does SOC Bridge.
 */
export const DETERMINATIONS_BY_CLASSIFICATION = {
  truePositive: ['multiStagedAttack', 'maliciousUserActivity', 'compromisedAccount', 'malware', 'phishing', 'unwantedSoftware', 'other'],
  informationalExpectedActivity: ['securityTesting', 'lineOfBusinessApplication', 'confirmedActivity', 'other'],
  falsePositive: ['notMalicious', 'notEnoughDataToValidate', 'other'],
} as const satisfies Record<Exclude<WritableClassification, 'unknown'>, readonly WritableDetermination[]>;

/** Service sources (the beta-only `microsoftThreatIntelligence` included, since it may appear). */
export const SERVICE_SOURCES = [
  'unknown',
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  'unknownFutureValue',
  'microsoftDefenderForCloud',
  'microsoftSentinel',
  'microsoftThreatIntelligence',
] as const;
export type ServiceSource = (typeof SERVICE_SOURCES)[number];

/** Detection sources. */
export const DETECTION_SOURCES = [
  'unknown',
  'microsoftDefenderForEndpoint',
  'antivirus',
  'smartScreen',
  'customTi',
  'microsoftDefenderForOffice365',
  'automatedInvestigation',
  'microsoftThreatExperts',
  'customDetection',
  'microsoftDefenderForIdentity',
  'cloudAppSecurity',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'manual',
  'microsoftDataLossPrevention',
  'appGovernancePolicy',
  'appGovernanceDetection',
  'unknownFutureValue',
  'microsoftDefenderForCloud',
  'microsoftDefenderForIoT',
  'microsoftDefenderForServers',
  'microsoftDefenderForStorage',
  'microsoftDefenderForDNS',
  'microsoftDefenderForDatabases',
  'microsoftDefenderForContainers',
  'microsoftDefenderForNetwork',
  'microsoftDefenderForAppService',
  'microsoftDefenderForKeyVault',
  'microsoftDefenderForResourceManager',
  'microsoftDefenderForApiManagement',
  'microsoftSentinel',
  'nrtAlerts',
  'scheduledAlerts',
  'microsoftDefenderThreatIntelligenceAnalytics',
  'builtInMl',
] as const;
export type DetectionSource = (typeof DETECTION_SOURCES)[number];

/** Members Graph sends to every caller: those before `unknownFutureValue` (and the sentinel itself). */
export function baseMembers(values: readonly string[]): readonly string[] {
  const sentinel = values.indexOf(UNKNOWN_FUTURE_VALUE);
  return sentinel < 0 ? values : values.slice(0, sentinel + 1);
}

/** The current name of a determination read from Graph (old names translated, others unchanged). */
export function currentDeterminationName(value: string): string {
  return (LEGACY_DETERMINATIONS as Record<string, string>)[value] ?? value;
}
