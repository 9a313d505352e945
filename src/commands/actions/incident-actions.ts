import {
  IncidentClassifyPayload,
  IncidentCommentPayload,
  IncidentMorePayload,
  IncidentRefPayload,
  IncidentStatusPayload,
  IncidentTagsPayload,
  type IncidentMoreRequest,
  type IncidentRef,
} from '../../incidents/action-payloads.js';
import { pendingIncidentChangeText, type IncidentChange } from '../../incidents/incident-actions.js';
import { INCIDENT_VERBS } from '../../incidents/verbs.js';
import { notice, type Reply } from '../../chat/reply.js';
import { ACCESS } from '../../roles/access.js';
import type { ActionContext } from '../context.js';
import type { ActionRoute } from '../route.js';

// A sentence, not a card: the card clicked stays as it is while Defender answers.
const loading = (): Reply => ({ kind: 'text', text: 'Asking Defender; this takes a moment.' });
const WHEN_INVALID = 'Open the incident again with the "incident" command.';

/** A change verb: analysts only, the clicked card shows "working" until Defender confirms, then everyone sees the result. */
function changeRoute<V extends IncidentChange['verb'], P extends Extract<IncidentChange, { verb: V }>['payload']>(verb: V, payload: ActionRoute<P>['payload']): ActionRoute<P> {
  const changeOf = (p: P) => ({ verb, payload: p }) as IncidentChange;
  return {
    access: ACCESS.analyst,
    payload,
    whenInvalid: WHEN_INVALID,
    delivery: 'shared',
    interim: (p) => notice({ title: 'Working on it…', text: pendingIncidentChangeText(changeOf(p)) }),
    handle: ({ payload: p, actor, services, origin }: ActionContext<P>) => services.incidentActions.change(changeOf(p), actor, origin),
  };
}

/** The incident cards' verbs: open and refresh a card, page a list, and the five changes. */
export const INCIDENT_ACTION_ROUTES = {
  [INCIDENT_VERBS.open]: {
    access: ACCESS.viewer,
    payload: IncidentRefPayload,
    whenInvalid: WHEN_INVALID,
    delivery: 'post',
    interim: loading,
    handle: ({ payload, actor, services }) => services.incidentActions.detail(payload, actor),
  } satisfies ActionRoute<IncidentRef>,
  [INCIDENT_VERBS.refresh]: {
    access: ACCESS.viewer,
    payload: IncidentRefPayload,
    whenInvalid: WHEN_INVALID,
    delivery: 'shared',
    interim: loading,
    handle: ({ payload, actor, services }) => services.incidentActions.refresh(payload, actor),
  } satisfies ActionRoute<IncidentRef>,
  [INCIDENT_VERBS.more]: {
    access: ACCESS.viewer,
    payload: IncidentMorePayload,
    whenInvalid: 'List the incidents again with the "incidents" command.',
    delivery: 'clicker',
    interim: loading,
    handle: ({ payload, actor, services }) => services.incidentActions.more(payload, actor),
  } satisfies ActionRoute<IncidentMoreRequest>,
  [INCIDENT_VERBS.assign]: changeRoute(INCIDENT_VERBS.assign, IncidentRefPayload),
  [INCIDENT_VERBS.status]: changeRoute(INCIDENT_VERBS.status, IncidentStatusPayload),
  [INCIDENT_VERBS.classify]: changeRoute(INCIDENT_VERBS.classify, IncidentClassifyPayload),
  [INCIDENT_VERBS.comment]: changeRoute(INCIDENT_VERBS.comment, IncidentCommentPayload),
  [INCIDENT_VERBS.tags]: changeRoute(INCIDENT_VERBS.tags, IncidentTagsPayload),
};
