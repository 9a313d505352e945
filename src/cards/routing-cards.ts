import type { CardColor, CommandButton } from './elements.js';

/** A title and a value, as a FactSet shows it. */
export interface Fact {
  title: string;
  value: string;
}

/** `rules`: every notification rule with its filters, targets and state. */
export interface RulesCardData {
  title: string;
  summary: string;
  notes: { text: string; color: CardColor }[];
  rules: {
    heading: string;
    stateLabel: string;
    stateColor: CardColor;
    facts: Fact[];
    buttons: CommandButton[];
  }[];
  buttons: CommandButton[];
}

/** `channels`: every link between a conversation and a customer, with its health. */
export interface ChannelsCardData {
  title: string;
  summary: string;
  notes: string[];
  links: {
    place: string;
    tenant: string;
    healthLabel: string;
    healthColor: CardColor;
    facts: Fact[];
    buttons: CommandButton[];
  }[];
}

export interface Choice {
  title: string;
  value: string;
}

/** The rule form's fields as the card holds them: strings, lists comma-separated, toggles "true"/"false". */
export interface RuleFormValues {
  name: string;
  tenantScope: string;
  tenants: string;
  severities: string;
  deviceGroups: string;
  serviceSources: string;
  detectionSources: string;
  categories: string;
  title: string;
  includeOrgName: string;
  includePortalLink: string;
  includeDeviceInfo: string;
  linkedChannels: string;
  channels: string;
  /** Every target that is not a Teams channel, as typed after `to:` (the input keeps the name `emails` it had when only email was possible). */
  emails: string;
  /** Kinds of target, comma-separated; empty = every kind the rule names. */
  mode: string;
  enabled: string;
}

/** `rule new` / `rule edit <id>`: a form with choice sets for every field `rule add` takes. */
export interface RuleFormCardData {
  title: string;
  intro: string;
  /** Why the last submission was refused; empty when there is nothing to say. */
  error: string;
  values: RuleFormValues;
  choices: {
    tenants: Choice[];
    severities: Choice[];
    serviceSources: Choice[];
    detectionSources: Choice[];
    categories: Choice[];
    channels: Choice[];
    /** The kinds of target `mode` may name. */
    modes: Choice[];
  };
  /** Shown instead of the channel choice when no conversation is linked yet. */
  noChannels: string;
  save: { title: string; actionData: { verb: string; ruleId: string } }[];
}
