/** Action.Execute verbs on incident cards; the card builders and the route table (commands/routes.ts) share them. */
export const INCIDENT_VERBS = {
  open: 'incident.open',
  more: 'incidents.more',
  assign: 'incident.assign',
  status: 'incident.status',
  classify: 'incident.classify',
  comment: 'incident.comment',
  tags: 'incident.tags',
  refresh: 'incident.refresh',
} as const;

export type IncidentVerb = (typeof INCIDENT_VERBS)[keyof typeof INCIDENT_VERBS];
