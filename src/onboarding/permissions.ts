import type { RequestedAccess } from './store-schema.js';

/** The Microsoft Graph application permissions SOC Bridge uses, as a token's `roles` claim names them. */
export const READ_ROLE = 'SecurityAlert.Read.All';
export const WRITE_ROLE = 'SecurityAlert.ReadWrite.All';

/** What each permission is for, in the words the consent card and `status` use. */
export const PERMISSION_PURPOSE: Readonly<Record<string, string>> = {
  [READ_ROLE]: 'read your Microsoft Defender alerts, so the SOC sees them in Teams',
  [WRITE_ROLE]: 'let SOC analysts assign alerts, set their status, classify them and comment on them',
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
  /** Alerts can be read (either permission does that). */
  readonly canRead: boolean;
  /** Alerts can be changed, and the tenant asked for it. */
  readonly canWrite: boolean;
  /** Needed permissions the token lacks. */
  readonly missing: readonly string[];
  readonly lines: readonly PermissionLine[];
}

export function assessRoles(granted: readonly string[], requested: RequestedAccess, handle: string): AccessAssessment {
  const has = (role: string) => granted.includes(role);
  const canRead = has(READ_ROLE) || has(WRITE_ROLE);
  const wantWrite = requested === 'readwrite';
  const canWrite = wantWrite && has(WRITE_ROLE);
  const missing = [...(canRead ? [] : [READ_ROLE]), ...(wantWrite && !has(WRITE_ROLE) ? [WRITE_ROLE] : [])];
  const again = `an administrator of the customer consents again (type "consent ${handle}" for a fresh card)`;
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
  ];
  return { canRead, canWrite, missing, lines };
}

/** "SecurityAlert.Read.All, SecurityAlert.ReadWrite.All" or "none". */
export function listRoles(roles: readonly string[]): string {
  const known = roles.filter((r) => r === READ_ROLE || r === WRITE_ROLE);
  const others = roles.length - known.length;
  const shown = [...known, ...(others > 0 ? [`${others} other`] : [])];
  return shown.length > 0 ? shown.join(', ') : 'none';
}
