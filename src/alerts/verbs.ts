/** Action.Execute verbs on alert cards; the card builders and the route table (commands/routes.ts) share them. */
export const ALERT_VERBS = {
  open: 'alert.open',
  more: 'alerts.more',
  assign: 'alert.assign',
  status: 'alert.status',
  classify: 'alert.classify',
  comment: 'alert.comment',
  refresh: 'alert.refresh',
} as const;

export type AlertVerb = (typeof ALERT_VERBS)[keyof typeof ALERT_VERBS];
export const ALERT_VERB_LIST = Object.values(ALERT_VERBS);
