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
  /** Whether the permissions and promises show at once (while the card asks) or on demand (once answered). */
  termsVisible: boolean;
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
  /** Each step is a row; its how-to and buttons open on a click (the next step to do is open). */
  steps: {
    heading: string;
    /** The id of the step's how-to container, unique on the card. */
    toggleId: string;
    expanded: boolean;
    howTo: string;
    /** A short badge: Done, Help asked, To do, Optional. */
    status: string;
    statusColor: CardColor;
    /** Who did it and when ("Done by …, …"), shown with the how-to. */
    progress: string;
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
