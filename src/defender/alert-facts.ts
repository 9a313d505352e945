import { z } from 'zod/v4';
import { evidenceKind } from './alert.js';

/*
 * The few properties of an alert that counting needs. Reading a period's alerts for statistics
 * means tens of thousands of them, and checking every evidence object against its full schema
 * was most of the time; this schema checks (and keeps) only what is counted. Graph still sends
 * whole alerts: alerts_v2 has no $select.
 */

const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date-time');
const text = z.string().nullish();

const EvidenceFactsSchema = z.object({
  '@odata.type': z.string(),
  deviceDnsName: text,
  hostName: text,
  mdeDeviceId: text,
});

/** An alert as statistics read it: identity, severity, state, times, source, category and its devices' evidence. */
export const AlertFactsSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  category: text,
  serviceSource: text,
  assignedTo: text,
  createdDateTime: dateTime,
  lastUpdateDateTime: dateTime,
  resolvedDateTime: dateTime.nullish(),
  evidence: z.array(EvidenceFactsSchema).nullish().transform((v) => v ?? []),
});
export type AlertFacts = z.infer<typeof AlertFactsSchema>;

/** One page of `GET /security/alerts_v2`, read as AlertFacts. */
export const AlertFactsListResponseSchema = z.object({
  '@odata.nextLink': z.string().nullish(),
  '@odata.count': z.number().int().nonnegative().optional(),
  value: z.array(AlertFactsSchema),
});

/** The alert's distinct devices by name (DNS name, else host name, else Defender device id). */
export function deviceNames(alert: Pick<AlertFacts, 'evidence'>): string[] {
  const names = alert.evidence.filter((e) => evidenceKind(e['@odata.type']) === 'deviceEvidence').flatMap((d) => {
    const name = d.deviceDnsName ?? d.hostName ?? d.mdeDeviceId;
    return name ? [name] : [];
  });
  const seen = new Set<string>();
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()));
}
