/**
 * The Microsoft Graph application permissions SOC Bridge uses, as a token's `roles` claim names
 * them. Either permission of a pair allows reading; only ReadWrite allows changes.
 */
export const ALERT_READ_ROLE = 'SecurityAlert.Read.All';
export const ALERT_WRITE_ROLE = 'SecurityAlert.ReadWrite.All';
export const INCIDENT_READ_ROLE = 'SecurityIncident.Read.All';
export const INCIDENT_WRITE_ROLE = 'SecurityIncident.ReadWrite.All';

/** Every permission SOC Bridge's app registration lists, in the order cards name them. */
export const GRAPH_ROLES = [ALERT_READ_ROLE, ALERT_WRITE_ROLE, INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE] as const;
