import { z } from 'zod/v4';
import {
  CLASSIFICATIONS,
  DETECTION_SOURCES,
  DETERMINATIONS_ACCEPTED_ON_READ,
  SERVICE_SOURCES,
  SEVERITIES,
  STATUSES,
} from './alert-enums.js';

export * from './alert-enums.js';

/**
 * `microsoft.graph.security.alert` as Graph sends it (reference §3.2–3.4). Everything here comes
 * from a customer tenant: the schemas check shape only, the text stays untrusted. Objects are loose
 * because Graph adds properties, and enums accept any string because Graph adds members.
 */

/** A Graph enum as received: a member known when this was written, or one added since. */
export type OpenEnum<T extends string> = T | (string & {});

// Validation-wise "known member or any other string" is just a string; the cast keeps the known
// members visible to the compiler and to editors.
function openEnum<T extends string>(_values: readonly T[]) {
  return z.string() as unknown as z.ZodType<OpenEnum<T>, string>;
}

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date-time');
const text = z.string().nullish();
const strings = z.array(z.string()).nullish();
const listOf = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

/** Two spellings of `@odata.type` occur: with and without the leading '#'. */
const odataType = <K extends string>(kind: K) =>
  z.enum([`#microsoft.graph.security.${kind}`, `microsoft.graph.security.${kind}`] as [`#microsoft.graph.security.${K}`, `microsoft.graph.security.${K}`]);

/** The properties every evidence type shares. */
const evidenceBase = {
  createdDateTime: dateTime.nullish(),
  verdict: text,
  remediationStatus: text,
  remediationStatusDetails: text,
  roles: strings,
  detailedRoles: strings,
  tags: strings,
};

/** File hashes, names and signer of a file evidence or a process image. */
export const FileDetailsSchema = z.looseObject({
  sha1: text,
  sha256: text,
  fileName: text,
  filePath: text,
  fileSize: z.number().nullish(),
  filePublisher: text,
  signer: text,
  issuer: text,
});
export type FileDetails = z.infer<typeof FileDetailsSchema>;

/** An account as evidence names it. */
export const UserAccountSchema = z.looseObject({
  accountName: text,
  domainName: text,
  userSid: text,
  azureAdUserId: text,
  userPrincipalName: text,
  displayName: text,
});
export type UserAccount = z.infer<typeof UserAccountSchema>;

/** A device involved in the alert; device-group rules key on rbacGroupName / rbacGroupId. */
export const DeviceEvidenceSchema = z.looseObject({
  '@odata.type': odataType('deviceEvidence'),
  ...evidenceBase,
  deviceDnsName: text,
  hostName: text,
  ntDomain: text,
  dnsDomain: text,
  mdeDeviceId: text,
  azureAdDeviceId: text,
  osPlatform: text,
  // Int64 may arrive as a string when a caller negotiates IEEE754Compatible.
  osBuild: z.union([z.number(), z.string()]).nullish(),
  version: text,
  healthStatus: text,
  riskScore: text,
  rbacGroupId: z.number().int().nullish(),
  rbacGroupName: text,
  onboardingStatus: text,
  defenderAvStatus: text,
  ipInterfaces: strings,
  loggedOnUsers: z.array(z.looseObject({ accountName: text, domainName: text })).nullish(),
  firstSeenDateTime: dateTime.nullish(),
});
export type DeviceEvidence = z.infer<typeof DeviceEvidenceSchema>;

/** A user account involved in the alert. */
export const UserEvidenceSchema = z.looseObject({
  '@odata.type': odataType('userEvidence'),
  ...evidenceBase,
  userAccount: UserAccountSchema.nullish(),
});
export type UserEvidence = z.infer<typeof UserEvidenceSchema>;

/** A file involved in the alert. */
export const FileEvidenceSchema = z.looseObject({
  '@odata.type': odataType('fileEvidence'),
  ...evidenceBase,
  fileDetails: FileDetailsSchema.nullish(),
  detectionStatus: text,
  mdeDeviceId: text,
});
export type FileEvidence = z.infer<typeof FileEvidenceSchema>;

/** A process involved in the alert, with its command line. */
export const ProcessEvidenceSchema = z.looseObject({
  '@odata.type': odataType('processEvidence'),
  ...evidenceBase,
  processId: z.number().nullish(),
  parentProcessId: z.number().nullish(),
  processCommandLine: text,
  processCreationDateTime: dateTime.nullish(),
  parentProcessCreationDateTime: dateTime.nullish(),
  imageFile: FileDetailsSchema.nullish(),
  parentProcessImageFile: FileDetailsSchema.nullish(),
  userAccount: UserAccountSchema.nullish(),
  detectionStatus: text,
  mdeDeviceId: text,
});
export type ProcessEvidence = z.infer<typeof ProcessEvidenceSchema>;

/** An IP address involved in the alert. */
export const IpEvidenceSchema = z.looseObject({ '@odata.type': odataType('ipEvidence'), ...evidenceBase, ipAddress: text });
export type IpEvidence = z.infer<typeof IpEvidenceSchema>;

/** A URL involved in the alert. */
export const UrlEvidenceSchema = z.looseObject({ '@odata.type': odataType('urlEvidence'), ...evidenceBase, url: text });
export type UrlEvidence = z.infer<typeof UrlEvidenceSchema>;

const TYPED_EVIDENCE = ['deviceEvidence', 'userEvidence', 'fileEvidence', 'processEvidence', 'ipEvidence', 'urlEvidence'] as const;
type TypedEvidenceKind = (typeof TYPED_EVIDENCE)[number];

/** The evidence kind named by an `@odata.type` value, e.g. `deviceEvidence`. */
export function evidenceKind(odataTypeValue: string): string {
  return odataTypeValue.replace(/^#?microsoft\.graph\.security\./, '');
}

/** Any other evidence type (mailbox, cloud app, registry, …): kept whole, read by nobody here. */
export const OtherEvidenceSchema = z
  .looseObject({ '@odata.type': z.string(), ...evidenceBase })
  .refine((e) => !(TYPED_EVIDENCE as readonly string[]).includes(evidenceKind(e['@odata.type'])), 'malformed evidence');
export type OtherEvidence = z.infer<typeof OtherEvidenceSchema>;

const EVIDENCE_BY_KIND: Readonly<Record<TypedEvidenceKind, z.ZodType>> = {
  deviceEvidence: DeviceEvidenceSchema,
  userEvidence: UserEvidenceSchema,
  fileEvidence: FileEvidenceSchema,
  processEvidence: ProcessEvidenceSchema,
  ipEvidence: IpEvidenceSchema,
  urlEvidence: UrlEvidenceSchema,
};

/**
 * One piece of alert evidence, checked against the one schema its `@odata.type` names. A plain
 * union would try every member in turn, which made evidence most of the cost of reading a page.
 */
export const AlertEvidenceSchema = z.union([
  DeviceEvidenceSchema,
  UserEvidenceSchema,
  FileEvidenceSchema,
  ProcessEvidenceSchema,
  IpEvidenceSchema,
  UrlEvidenceSchema,
  OtherEvidenceSchema,
]);
const DispatchedEvidenceSchema = z.unknown().transform((value, ctx) => {
  const type = (value as { '@odata.type'?: unknown } | null)?.['@odata.type'];
  const schema = typeof type === 'string' ? EVIDENCE_BY_KIND[evidenceKind(type) as TypedEvidenceKind] : undefined;
  const result = (schema ?? OtherEvidenceSchema).safeParse(value);
  if (result.success) return result.data as AlertEvidence;
  for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
export type AlertEvidence = z.infer<typeof AlertEvidenceSchema>;

/** A comment on an alert. */
export const AlertCommentSchema = z.looseObject({
  comment: z.string(),
  createdByDisplayName: text,
  createdDateTime: dateTime.nullish(),
});
export type AlertComment = z.infer<typeof AlertCommentSchema>;

/** `microsoft.graph.security.alert`. */
export const AlertSchema = z.looseObject({
  '@odata.type': z.string().optional(),
  id: z.string().min(1),
  providerAlertId: text,
  incidentId: text,
  tenantId: text,
  title: z.string(),
  description: text,
  recommendedActions: text,
  category: text,
  severity: openEnum(SEVERITIES),
  status: openEnum(STATUSES),
  classification: openEnum(CLASSIFICATIONS).nullish(),
  determination: openEnum(DETERMINATIONS_ACCEPTED_ON_READ).nullish(),
  serviceSource: openEnum(SERVICE_SOURCES).nullish(),
  detectionSource: openEnum(DETECTION_SOURCES).nullish(),
  detectorId: text,
  assignedTo: text,
  alertWebUrl: text,
  incidentWebUrl: text,
  actorDisplayName: text,
  threatDisplayName: text,
  threatFamilyName: text,
  mitreTechniques: listOf(z.string()),
  createdDateTime: dateTime,
  lastUpdateDateTime: dateTime,
  resolvedDateTime: dateTime.nullish(),
  firstActivityDateTime: dateTime.nullish(),
  lastActivityDateTime: dateTime.nullish(),
  comments: listOf(AlertCommentSchema),
  evidence: listOf(DispatchedEvidenceSchema),
  systemTags: listOf(z.string()),
  productName: text,
  alertPolicyId: text,
});
export type Alert = z.infer<typeof AlertSchema>;

/** The body of `GET /security/alerts_v2`: one page. */
export const AlertListResponseSchema = z.looseObject({
  '@odata.context': z.string().optional(),
  '@odata.count': z.number().int().nonnegative().optional(),
  '@odata.nextLink': z.string().nullish(),
  value: z.array(AlertSchema),
});
export type AlertListResponse = z.infer<typeof AlertListResponseSchema>;

/** The body of `POST /security/alerts_v2/{id}/comments`: every comment, oldest first. */
export const AlertCommentListResponseSchema = z.looseObject({
  '@odata.context': z.string().optional(),
  value: z.array(AlertCommentSchema),
});

const isKind =
  <T extends AlertEvidence>(kind: TypedEvidenceKind) =>
  (e: AlertEvidence): e is T =>
    evidenceKind(e['@odata.type']) === kind;

/** Whether a piece of evidence is a device. */
export const isDeviceEvidence = isKind<DeviceEvidence>('deviceEvidence');
/** Whether a piece of evidence is a user. */
export const isUserEvidence = isKind<UserEvidence>('userEvidence');
/** Whether a piece of evidence is a file. */
export const isFileEvidence = isKind<FileEvidence>('fileEvidence');
/** Whether a piece of evidence is a process. */
export const isProcessEvidence = isKind<ProcessEvidence>('processEvidence');

/** A device as a card shows it. */
export interface AlertDevice {
  dnsName: string | undefined;
  osPlatform: string | undefined;
  rbacGroupName: string | undefined;
  rbacGroupId: number | undefined;
  mdeDeviceId: string | undefined;
}

/** A user as a card shows it. */
export interface AlertUser {
  userPrincipalName: string | undefined;
  accountName: string | undefined;
  domainName: string | undefined;
  displayName: string | undefined;
}

/** A file as a card shows it. */
export interface AlertFile {
  fileName: string | undefined;
  filePath: string | undefined;
  sha1: string | undefined;
  sha256: string | undefined;
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** Keeps the first item per key; items without any key are kept as they are. */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string | undefined): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (k === undefined) return true;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The alert's devices, one per device (an alert may name a device several times, or none). */
export function alertDevices(alert: Alert): AlertDevice[] {
  const devices = alert.evidence.filter(isDeviceEvidence).map((d) => ({
    dnsName: orUndefined(d.deviceDnsName ?? d.hostName),
    osPlatform: orUndefined(d.osPlatform),
    rbacGroupName: orUndefined(d.rbacGroupName),
    rbacGroupId: orUndefined(d.rbacGroupId),
    mdeDeviceId: orUndefined(d.mdeDeviceId),
  }));
  return uniqueBy(devices, (d) => d.mdeDeviceId ?? d.dnsName?.toLowerCase());
}

/** The distinct device groups (rbacGroupName) of the alert's devices, in evidence order. */
export function deviceGroups(alert: Alert): string[] {
  const names = alertDevices(alert).flatMap((d) => (d.rbacGroupName ? [d.rbacGroupName] : []));
  return [...new Set(names)];
}

/** The alert's user accounts, one per account. */
export function alertUsers(alert: Alert): AlertUser[] {
  const users = alert.evidence.filter(isUserEvidence).flatMap((u) => {
    const a = u.userAccount;
    if (!a) return [];
    return [{
      userPrincipalName: orUndefined(a.userPrincipalName),
      accountName: orUndefined(a.accountName),
      domainName: orUndefined(a.domainName),
      displayName: orUndefined(a.displayName),
    }];
  });
  return uniqueBy(users, (u) => (u.userPrincipalName ?? (u.accountName && `${u.domainName ?? ''}\\${u.accountName}`))?.toLowerCase());
}

/** The alert's files, one per file (by hash, else by path). */
export function alertFiles(alert: Alert): AlertFile[] {
  const files = alert.evidence.filter(isFileEvidence).flatMap((f) => {
    const d = f.fileDetails;
    if (!d) return [];
    return [{ fileName: orUndefined(d.fileName), filePath: orUndefined(d.filePath), sha1: orUndefined(d.sha1), sha256: orUndefined(d.sha256) }];
  });
  return uniqueBy(files, (f) => f.sha256 ?? f.sha1 ?? (f.fileName && `${f.filePath ?? ''}\\${f.fileName}`.toLowerCase()));
}

/** The distinct process command lines in the alert's process evidence. */
export function alertProcessCommandLines(alert: Alert): string[] {
  const lines = alert.evidence.filter(isProcessEvidence).flatMap((p) => (p.processCommandLine ? [p.processCommandLine] : []));
  return [...new Set(lines)];
}
