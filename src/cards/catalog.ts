import type { CardColor, CommandButton } from './elements.js';
import type { ChecklistCardData, ConsentCardData, OffboardCardData, TenantStatusCardData } from './onboarding-cards.js';
import type { ChannelsCardData, RuleFormCardData, RulesCardData } from './routing-cards.js';
import type { HandoverCardData, StatsCardData } from './stats-cards.js';

/** Every card template in `cards/` and the data it takes. */
export interface CardDataByName {
  help: HelpCardData;
  whoami: WhoamiCardData;
  roles: RolesCardData;
  'unknown-command': UnknownCommandCardData;
  notice: NoticeCardData;
  welcome: WelcomeCardData;
  tenants: TenantsCardData;
  'alert-list': AlertListCardData;
  'alert-detail': AlertDetailCardData;
  'alert-digest': AlertDigestCardData;
  /** The incidents list has the alert list's shape; its rows and More button carry incident verbs. */
  'incident-list': AlertListCardData;
  'incident-detail': IncidentDetailCardData;
  audit: AuditCardData;
  consent: ConsentCardData;
  checklist: ChecklistCardData;
  'tenant-status': TenantStatusCardData;
  offboard: OffboardCardData;
  rules: RulesCardData;
  'rule-form': RuleFormCardData;
  channels: ChannelsCardData;
  stats: StatsCardData;
  handover: HandoverCardData;
  escalation: EscalationCardData;
}

export type CardName = keyof CardDataByName;
export type CardDataOf<N extends CardName> = CardDataByName[N];
export const CARD_NAMES = [
  'help', 'whoami', 'roles', 'unknown-command', 'notice', 'welcome', 'tenants', 'alert-list', 'alert-detail', 'audit',
  'alert-digest', 'incident-list', 'incident-detail',
  'consent', 'checklist', 'tenant-status', 'offboard',
  'rules', 'rule-form', 'channels',
  'stats', 'handover',
  'escalation',
] as const satisfies readonly CardName[];

/**
 * The follow-up of an alert still new and unowned after a rule's escalation time: who is asked to
 * take it (real Teams mentions), the alert in a few facts, a button opening its card.
 */
export interface EscalationCardData {
  title: string;
  subtitle: string;
  /** The mentions' markup one after another (`<at>Megan Bowen</at>, …`); empty when nobody is mentioned. */
  mentionLine: string;
  /** One Teams mention entity per person in `mentionLine` (`msteams.entities`). */
  mentions: { type: 'mention'; text: string; mentioned: { id: string; name: string } }[];
  text: string;
  facts: { title: string; value: string }[];
  actionData: { verb: string; tenantId: string; alertId: string };
}

export interface HelpCardData {
  title: string;
  roleLine: string;
  commands: { usage: string; summary: string; examples: string }[];
  footer: string;
}

export interface WhoamiCardData {
  displayName: string;
  facts: { title: string; value: string }[];
}

export interface RolesCardData {
  holders: { name: string; role: string; scope: string; grantedBy: string; grantedAt: string }[];
  summary: string;
}

export interface UnknownCommandCardData {
  input: string;
  hint: string;
  buttons: CommandButton[];
}

export type NoticeTone = 'default' | 'good' | 'warning' | 'attention';

export interface NoticeCardData {
  tone: NoticeTone;
  title: string;
  text: string;
  details: string[];
  buttons: CommandButton[];
}

export interface WelcomeCardData {
  title: string;
  lines: string[];
  buttons: CommandButton[];
}

export interface TenantsCardData {
  summary: string;
  tenants: {
    name: string;
    statusLabel: string;
    statusColor: CardColor;
    openAlerts: string;
    channels: string;
    lastContact: string;
    /** Access-grant checklist progress, e.g. "3 of 8 steps done". */
    accessGuide: string;
    trouble: string;
  }[];
}

/** Data for a button that opens one alert or acts on it. */
export interface AlertButton {
  title: string;
  actionData: Record<string, unknown> & { verb: string };
}

/** One alert as a row of a list or digest card; clicking it opens the alert. */
export interface AlertRow {
  severityLabel: string;
  severityColor: CardColor;
  title: string;
  line: string;
  actionData: Record<string, unknown> & { verb: string };
}

export interface AlertListCardData {
  title: string;
  subtitle: string;
  items: AlertRow[];
  failures: string[];
  empty: string[];
  more: AlertButton[];
}

/** A choice of an Input.ChoiceSet. */
export interface CardChoice {
  title: string;
  value: string;
}

/** A classification as a button on the Classify card, opening the determinations that go with it. */
export interface VerdictButton extends AlertButton {
  /** The id of its determination input (unique on the card). */
  inputId: string;
  choices: CardChoice[];
}

/**
 * One alert: a band in the severity's colour with the customer and a big title, 3–5 key facts,
 * the command line, details on demand; triage buttons first (assign, status, classify, comment),
 * navigation and refresh in the overflow menu.
 */
export interface AlertDetailCardData {
  severityLabel: string;
  severityColor: CardColor;
  /** The line above the title: severity and customer. */
  headline: string;
  title: string;
  /** "Contoso Ltd (contoso)"; empty when a rule leaves the organisation name out. */
  customer: string;
  notices: { color: CardColor; text: string }[];
  /** The key facts, 3 to 5. */
  facts: { title: string; value: string }[];
  commandLine: string;
  /** Shown on demand ("Show details"), with `details` and `comments`. */
  description: string;
  details: { title: string; value: string }[];
  comments: string[];
  alertUrl: string;
  incidentUrl: string;
  /** Whether "Open in Defender" is a main button (no triage buttons) or in the overflow menu. */
  linkMode: 'primary' | 'secondary';
  /** A main button while nobody owns the alert. */
  assign: AlertButton[];
  /** The same action in the overflow menu once someone owns it, for taking it over. */
  takeOver: AlertButton[];
  setStatus: (AlertButton & { choices: CardChoice[] })[];
  classify: { title: string; verdicts: VerdictButton[] }[];
  comment: AlertButton[];
  refresh: AlertButton[];
}

/**
 * One incident: a band in the severity's colour with the customer and the incident's name, its
 * key facts, a row per alert (each opens the alert's card), details on demand; the triage buttons
 * of alert cards plus tags, navigation and refresh in the overflow menu.
 */
export interface IncidentDetailCardData {
  severityLabel: string;
  severityColor: CardColor;
  /** The line above the title: severity, incident number and customer. */
  headline: string;
  title: string;
  notices: { color: CardColor; text: string }[];
  /** Status, owner, verdict, alerts by severity, devices, users, activity, tags. */
  facts: { title: string; value: string }[];
  /** Empty when the incident has no alerts (a merged one). */
  alertsHeading: string;
  alerts: AlertRow[];
  /** "and N more alerts…" when the card shows only the newest ones. */
  alertsMore: string[];
  /** Shown on demand ("Show details"), with `details` and `comments`. */
  description: string;
  details: { title: string; value: string }[];
  comments: string[];
  /** The incident's portal page with `?tid=`, a button under the facts (the card's own actions are the triage ones). */
  incidentUrl: string;
  /** A merged incident's button to the incident it went into. */
  redirect: AlertButton[];
  assign: AlertButton[];
  takeOver: AlertButton[];
  setStatus: (AlertButton & { choices: CardChoice[] })[];
  classify: { title: string; verdicts: VerdictButton[] }[];
  comment: AlertButton[];
  /** The custom tags as they are, comma-separated, to edit. */
  tags: (AlertButton & { value: string })[];
  refresh: AlertButton[];
}

/** Many alerts for one conversation in one card (storm mode); each row opens its alert. */
export interface AlertDigestCardData {
  title: string;
  subtitle: string;
  items: AlertRow[];
  footer: string;
}

export interface AuditCardData {
  summary: string;
  entries: { headline: string; change: string; when: string }[];
}
