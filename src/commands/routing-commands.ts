import type { RuleInput } from '../routing/rule-syntax.js';

/** The channel-link and notification-rule commands, as parsed. */
export type RoutingCommand =
  | { readonly name: 'link'; readonly tenant: string }
  | { readonly name: 'unlink'; readonly tenant: string; readonly conversationId?: string }
  | { readonly name: 'channels'; readonly tenant?: string }
  | { readonly name: 'rules'; readonly tenant?: string }
  | { readonly name: 'rule new' }
  | { readonly name: 'rule add'; readonly ruleName: string; readonly input: RuleInput }
  | { readonly name: 'rule edit'; readonly ruleId: string; readonly input?: RuleInput }
  | RuleRef<'rule remove'>
  | RuleRef<'rule pause'>
  | RuleRef<'rule resume'>
  | RuleRef<'rule test'>;

type RuleRef<N extends string> = { readonly name: N; readonly ruleId: string };

export type RoutingCommandName = RoutingCommand['name'];
