import type { CardColor, CommandButton } from './elements.js';

/** Data for an Action.Execute button whose verb the template fixes; `actionData` carries the ids back. */
export interface VerbButton {
  title: string;
  actionData: Record<string, unknown> & { verb: string };
}

/** A line of text in a colour. */
export interface ColoredLine {
  text: string;
  color: CardColor;
}

/** The admin-consent request, and later what became of it (edited in place). */
export interface ConsentCardData {
  title: string;
  subtitle: string;
  ask: string;
  permissions: { title: string; value: string }[];
  accessNote: string;
  will: string;
  willNot: string;
  validity: string;
  outcome: ColoredLine[];
  /** The Entra admin-consent link; empty once the link no longer works. */
  grantUrl: string;
  recheck: VerbButton[];
  buttons: CommandButton[];
}

/** The access-grant guide with per-step progress, shared by everyone in the conversation. */
export interface ChecklistCardData {
  title: string;
  summary: string;
  intro: string;
  notices: ColoredLine[];
  steps: {
    heading: string;
    howTo: string;
    status: string;
    statusColor: CardColor;
    linkTitle: string;
    linkUrl: string;
    done: VerbButton[];
    help: VerbButton[];
  }[];
}

/** `status <tenant>`: diagnostics in sections. */
export interface TenantStatusCardData {
  title: string;
  statusLabel: string;
  statusColor: CardColor;
  sections: { title: string; facts: { title: string; value: string }[]; lines: ColoredLine[] }[];
  buttons: CommandButton[];
}

/** `offboard <tenant>`: the confirmation, then what was done. */
export interface OffboardCardData {
  title: string;
  titleColor: CardColor;
  lines: string[];
  confirm: VerbButton[];
  cancel: VerbButton[];
}
