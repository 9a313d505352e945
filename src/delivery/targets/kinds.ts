import { EMAIL_TARGETS } from './email/email-target.js';
import type { TargetKind, TargetRef } from './target-kind.js';
import { TEAMS_TARGETS } from './teams/teams-target.js';
import { WEBHOOK_TARGETS } from './webhook/webhook-target.js';

/**
 * The registry list: every kind of notification target SOC Bridge can deliver to. Order matters
 * for recognising `to:` words: the first kind whose token a word matches takes it.
 */
export const TARGET_KINDS: readonly TargetKind[] = [TEAMS_TARGETS, EMAIL_TARGETS, WEBHOOK_TARGETS];

export function targetKindOf(key: string): TargetKind | undefined {
  return TARGET_KINDS.find((k) => k.key === key);
}

/**
 * The reference a `to:` word stands for: the first kind whose token matches it, else the kind that
 * takes any other word (a Teams channel's name). `key` names the field in refusals.
 */
export function recogniseTarget(word: string, key = 'to'): TargetRef | undefined {
  for (const kind of TARGET_KINDS) {
    const ref = kind.recognise(word, key);
    if (ref) return ref;
  }
  for (const kind of TARGET_KINDS) {
    const ref = kind.recogniseOther?.(word);
    if (ref) return ref;
  }
  return undefined;
}
