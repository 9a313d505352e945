import { ALERT_READ_ROLE, ALERT_WRITE_ROLE, GRAPH_ROLES, INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE } from '../defender/graph-permissions.js';
import type { RequestedAccess } from './store-schema.js';

/** The Microsoft Graph application permissions SOC Bridge uses, as a token's `roles` claim names them. */
export const READ_ROLE = ALERT_READ_ROLE;
export const WRITE_ROLE = ALERT_WRITE_ROLE;
export { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE };

/** What each permission is for, in the words the consent card and `status` use. */
export const PERMISSION_PURPOSE: Readonly<Record<string, string>> = {
  [READ_ROLE]: 'read your Microsoft Defender alerts, so the SOC sees them in Teams',
  [WRITE_ROLE]: 'let SOC analysts assign alerts, set their status, classify them and comment on them',
  [INCIDENT_READ_ROLE]: 'read your Defender XDR incidents (the alerts Defender correlated into one attack), so the SOC works them as one',
  [INCIDENT_WRITE_ROLE]: 'let SOC analysts assign incidents, set their status, classify, tag and comment on them',
};

/** One permission as `status` shows it: granted or not, needed or not, and what to do. */
export interface PermissionLine {
  readonly role: string;
  readonly needed: boolean;
  readonly granted: boolean;
  /** What to do when it is needed but missing, or granted but unused. */
  readonly note: string;
}

/** What a token's roles allow, measured against what the operator asked for. */
export interface AccessAssessment {
  /** Alerts can be read (either permission does that): what connecting a customer requires. */
  readonly canRead: boolean;
  /** Alerts can be changed, and the tenant asked for it. */
  readonly canWrite: boolean;
  /** Incidents can be read; a customer that consented before SOC Bridge used incidents cannot. */
  readonly canReadIncidents: boolean;
  /** Needed permissions the token lacks (incident ones included: a fresh consent adds them). */
  readonly missing: readonly string[];
  readonly lines: readonly PermissionLine[];
}

export function assessRoles(granted: readonly string[], requested: RequestedAccess, handle: string): AccessAssessment {
  const has = (role: string) => granted.includes(role);
  const canRead = has(READ_ROLE) || has(WRITE_ROLE);
  const wantWrite = requested === 'readwrite';
  const canWrite = wantWrite && has(WRITE_ROLE);
  const canReadIncidents = has(INCIDENT_READ_ROLE) || has(INCIDENT_WRITE_ROLE);
  const missing = [
    ...(canRead ? [] : [READ_ROLE]),
    ...(wantWrite && !has(WRITE_ROLE) ? [WRITE_ROLE] : []),
    ...(canReadIncidents ? [] : [INCIDENT_READ_ROLE]),
    ...(wantWrite && !has(INCIDENT_WRITE_ROLE) ? [INCIDENT_WRITE_ROLE] : []),
  ];
  const again = `an administrator of the customer consents again (type "consent ${handle}" for a fresh card)`;
  const before = 'the customer consented before SOC Bridge used incidents, or the app registration does not list it';
  const lines: PermissionLine[] = [
    {
      role: READ_ROLE,
      needed: true,
      granted: has(READ_ROLE),
      note: canRead
        ? has(READ_ROLE)
          ? ''
          : `not granted, but ${WRITE_ROLE} covers reading`
        : `missing: SOC Bridge cannot read alerts. The MSSP checks that the app registration lists ${READ_ROLE} (Microsoft Graph, application permission), then ${again}.`,
    },
    {
      role: WRITE_ROLE,
      needed: wantWrite,
      granted: has(WRITE_ROLE),
      note: wantWrite
        ? has(WRITE_ROLE)
          ? ''
          : `missing: analysts cannot change alerts from Teams. The MSSP checks that the app registration lists ${WRITE_ROLE}, then ${again}; or choose read only with "consent ${handle} access:read".`
        : has(WRITE_ROLE)
          ? 'granted, but this customer chose read only: SOC Bridge will not change alerts. The customer admin may remove it under Enterprise applications > SOC Bridge > Permissions.'
          : 'not requested (read only)',
    },
    {
      role: INCIDENT_READ_ROLE,
      needed: true,
      granted: has(INCIDENT_READ_ROLE),
      note: canReadIncidents
        ? has(INCIDENT_READ_ROLE)
          ? ''
          : `not granted, but ${INCIDENT_WRITE_ROLE} covers reading`
        : `missing (${before}): "incidents" and incident cards do not work for this customer; alerts do. The MSSP checks that the app registration lists ${INCIDENT_READ_ROLE}, then ${again}.`,
    },
    {
      role: INCIDENT_WRITE_ROLE,
      needed: wantWrite,
      granted: has(INCIDENT_WRITE_ROLE),
      note: wantWrite
        ? has(INCIDENT_WRITE_ROLE)
          ? ''
          : `missing (${before}): analysts cannot change incidents from Teams. The MSSP checks that the app registration lists ${INCIDENT_WRITE_ROLE}, then ${again}.`
        : has(INCIDENT_WRITE_ROLE)
          ? 'granted, but this customer chose read only: SOC Bridge will not change incidents.'
          : 'not requested (read only)',
    },
  ];
  return { canRead, canWrite, canReadIncidents, missing, lines };
}

/** "SecurityAlert.Read.All, SecurityAlert.ReadWrite.All, …" in the order cards name them, or "none". */
export function listRoles(roles: readonly string[]): string {
  const known = GRAPH_ROLES.filter((r) => roles.includes(r));
  const others = roles.length - known.length;
  const shown = [...known, ...(others > 0 ? [`${others} other`] : [])];
  return shown.length > 0 ? shown.join(', ') : 'none';
}
