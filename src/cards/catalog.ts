/** Every card template in `cards/` and the data it takes. */
export interface CardDataByName {
  help: HelpCardData;
  whoami: WhoamiCardData;
  roles: RolesCardData;
  'unknown-command': UnknownCommandCardData;
  notice: NoticeCardData;
  welcome: WelcomeCardData;
}

export type CardName = keyof CardDataByName;
export type CardDataOf<N extends CardName> = CardDataByName[N];
export const CARD_NAMES = ['help', 'whoami', 'roles', 'unknown-command', 'notice', 'welcome'] as const satisfies readonly CardName[];

/** Data for a button that runs a chat command. */
export interface CommandButton {
  title: string;
  actionData: { verb: 'command.run'; command: string };
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
