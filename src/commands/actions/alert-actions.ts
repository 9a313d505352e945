import { AlertRefPayload, ClassifyPayload, CommentPayload, MorePayload, StatusPayload, type AlertRef, type MoreRequest } from '../../alerts/action-payloads.js';
import { pendingChangeText, type AlertChange } from '../../alerts/alert-actions.js';
import { ALERT_VERBS } from '../../alerts/verbs.js';
import { notice, type Reply } from '../../chat/reply.js';
import { ACCESS } from '../../roles/access.js';
import type { ActionContext } from '../context.js';
import type { ActionRoute } from '../route.js';

// A sentence, not a card: the card clicked stays as it is while Defender answers.
const loading = (): Reply => ({ kind: 'text', text: 'Asking Defender; this takes a moment.' });
const WHEN_INVALID = 'Open the alert again with the "alert" command.';

/** A change verb: analysts only, the clicked card shows "working" until Defender confirms, then everyone sees the result. */
function changeRoute<V extends AlertChange['verb'], P extends Extract<AlertChange, { verb: V }>['payload']>(verb: V, payload: ActionRoute<P>['payload']): ActionRoute<P> {
  const changeOf = (p: P) => ({ verb, payload: p }) as AlertChange;
  return {
    access: ACCESS.analyst,
    payload,
    whenInvalid: WHEN_INVALID,
    delivery: 'shared',
    interim: (p) => notice({ title: 'Working on it…', text: pendingChangeText(changeOf(p)) }),
    handle: ({ payload: p, actor, services, origin }: ActionContext<P>) => services.alertActions.change(changeOf(p), actor, origin),
  };
}

/** The alert cards' verbs: open and refresh a card, page a list, and the four changes. */
export const ALERT_ACTION_ROUTES = {
  [ALERT_VERBS.open]: {
    access: ACCESS.viewer,
    payload: AlertRefPayload,
    whenInvalid: WHEN_INVALID,
    delivery: 'post',
    interim: loading,
    handle: ({ payload, actor, services }) => services.alertActions.detail(payload, actor),
  } satisfies ActionRoute<AlertRef>,
  [ALERT_VERBS.refresh]: {
    access: ACCESS.viewer,
    payload: AlertRefPayload,
    whenInvalid: WHEN_INVALID,
    delivery: 'shared',
    interim: loading,
    handle: ({ payload, actor, services }) => services.alertActions.refresh(payload, actor),
  } satisfies ActionRoute<AlertRef>,
  [ALERT_VERBS.more]: {
    access: ACCESS.viewer,
    payload: MorePayload,
    whenInvalid: 'List the alerts again with the "alerts" command.',
    delivery: 'clicker',
    interim: loading,
    handle: ({ payload, actor, services }) => services.alertActions.more(payload, actor),
  } satisfies ActionRoute<MoreRequest>,
  [ALERT_VERBS.assign]: changeRoute(ALERT_VERBS.assign, AlertRefPayload),
  [ALERT_VERBS.status]: changeRoute(ALERT_VERBS.status, StatusPayload),
  [ALERT_VERBS.classify]: changeRoute(ALERT_VERBS.classify, ClassifyPayload),
  [ALERT_VERBS.comment]: changeRoute(ALERT_VERBS.comment, CommentPayload),
};
