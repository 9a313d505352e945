import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { RuleTargetContext, TargetRef } from '../delivery/targets/target-kind.js';
import { UsageError } from '../errors.js';
import { usedTargets } from './matcher.js';
import { modeWord } from './rule-syntax.js';
import type { NotificationRule } from './store-schema.js';

/** The kinds a rule names, in registry order. */
export function kindsNamed(registry: TargetRegistry, refs: readonly TargetRef[]): string[] {
  return registry.keys().filter((key) => refs.some((r) => r.kind === key));
}

/** The kinds a rule delivers to: those `mode:` names, or every kind it names. */
export function kindsUsed(registry: TargetRegistry, rule: Pick<NotificationRule, 'targets' | 'mode'>): string[] {
  return kindsNamed(registry, usedTargets(rule));
}

/**
 * A rule's targets, checked through the target registry: each kind resolves and checks its own
 * references; `mode:` must name kinds the rule has targets of, and kinds that can deliver here.
 */
export class RuleTargets {
  constructor(private readonly registry: TargetRegistry) {}

  /** References as typed into what is stored (`here` and names become ids), without repeats. */
  resolve(refs: readonly TargetRef[], ctx: RuleTargetContext): TargetRef[] {
    const out: TargetRef[] = [];
    for (const ref of refs) {
      const entry = this.registry.get(ref.kind);
      if (!entry) throw new UsageError(`to: "${ref.value.slice(0, 60)}" is a ${ref.kind} target, which this SOC Bridge does not deliver to.`);
      const resolved = entry.built.rules.resolve(ref, ctx);
      if (!out.some((r) => r.kind === resolved.kind && r.value === resolved.value)) out.push(resolved);
    }
    return out;
  }

  /** Refuses a rule whose targets cannot work, with the key, the value and what would. */
  check(rule: Pick<NotificationRule, 'targets' | 'mode'>, ctx: RuleTargetContext): void {
    for (const { kind, built } of this.registry.entries) {
      const refs = rule.targets.filter((r) => r.kind === kind.key);
      if (refs.length > 0) built.rules.check(refs, ctx);
    }
    const named = kindsNamed(this.registry, rule.targets);
    const word = modeWord(rule.mode ?? named);
    for (const key of rule.mode ?? []) {
      const kind = this.registry.get(key)?.kind;
      if (!kind || named.includes(key)) continue;
      const others = named.filter((k) => !(rule.mode ?? []).includes(k));
      throw new UsageError(`mode: ${word} ${kind.missing}${rule.mode?.length === 1 && others.length > 0 ? `, or use mode:${modeWord(others)}` : ''}.`);
    }
    for (const key of kindsUsed(this.registry, rule)) {
      const entry = this.registry.get(key);
      if (entry && !entry.built.availability.available) throw new UsageError(`mode: ${word} needs ${entry.kind.noun}, and ${entry.built.availability.reason}`);
    }
  }

  /** What is allowed but probably not what the admin expects. */
  warnings(rule: Pick<NotificationRule, 'targets' | 'mode'>, ctx: RuleTargetContext): string[] {
    const warnings: string[] = [];
    const used = kindsUsed(this.registry, rule);
    for (const { kind, built } of this.registry.entries) {
      const refs = rule.targets.filter((r) => r.kind === kind.key);
      if (refs.length === 0) continue;
      if (used.includes(kind.key)) warnings.push(...built.rules.warnings(refs, ctx));
      else warnings.push(`mode:${modeWord(rule.mode ?? [])}: the ${kind.noun} targets are kept but get nothing until the mode includes ${kind.key}.`);
    }
    return warnings;
  }
}
