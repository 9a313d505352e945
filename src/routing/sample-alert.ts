import { randomBytes } from 'node:crypto';
import type { Alert } from '../defender/alert.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { NotificationRule } from './store-schema.js';

/**
 * The alert `rule test` sends: clearly a sample (title, description, id), and shaped like what the
 * rule selects (its highest severity, first device group, source and category), so the test shows
 * what a real notification will look like.
 */
export function sampleAlert(rule: NotificationRule, tenant: TenantRecord, now: Date): Alert {
  const id = `sample-${randomBytes(6).toString('hex')}`;
  const at = now.toISOString();
  const severity = ['high', 'medium', 'low', 'informational'].find((s) => rule.severities.length === 0 || rule.severities.includes(s)) ?? 'high';
  const group = rule.deviceGroups[0] ?? 'Servers';
  const device = `sample-device.${tenant.domain}`;
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId: null,
    tenantId: tenant.tenantId,
    title: `SAMPLE ALERT — test of rule "${rule.name}"${rule.titleContains ? ` (${rule.titleContains})` : ''}`,
    description: 'This is a sample alert sent by SOC Bridge to check where a notification rule delivers. It is not a real Microsoft Defender alert; no action is needed.',
    recommendedActions: null,
    category: rule.categories[0] ?? 'Execution',
    severity,
    status: 'new',
    classification: null,
    determination: null,
    serviceSource: rule.serviceSources[0] ?? 'microsoftDefenderForEndpoint',
    detectionSource: rule.detectionSources[0] ?? 'microsoftDefenderForEndpoint',
    detectorId: null,
    assignedTo: null,
    alertWebUrl: null,
    incidentWebUrl: null,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: [],
    createdDateTime: at,
    lastUpdateDateTime: at,
    resolvedDateTime: null,
    firstActivityDateTime: at,
    lastActivityDateTime: at,
    comments: [],
    evidence: [
      {
        '@odata.type': '#microsoft.graph.security.deviceEvidence',
        deviceDnsName: device,
        osPlatform: 'Windows11',
        rbacGroupName: group,
        mdeDeviceId: null,
      },
    ],
    systemTags: ['Sample'],
  };
}
