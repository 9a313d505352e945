import type { DeliveryTarget } from '../ports.js';
import { TARGET_KINDS } from './kinds.js';
import { targetKeyOf, type BuiltTargetKind, type ConfiguredTarget, type TargetKind, type TargetKindDeps, type TargetViewContext } from './target-kind.js';

/** One kind and its services in this process. */
export interface RegisteredKind {
  readonly kind: TargetKind;
  readonly built: BuiltTargetKind;
}

/**
 * The target kinds of this process, built once by the composition root from TARGET_KINDS and the
 * configuration. Routing and delivery ask it about targets by their `kind` and never branch on
 * one kind themselves.
 */
export class TargetRegistry {
  private readonly byKey: ReadonlyMap<string, RegisteredKind>;

  constructor(readonly entries: readonly RegisteredKind[]) {
    this.byKey = new Map(entries.map((e) => [e.kind.key, e]));
  }

  /** Builds every kind in `kinds` (by default the registry list) for this process. */
  static build(deps: TargetKindDeps, kinds: readonly TargetKind[] = TARGET_KINDS): TargetRegistry {
    return new TargetRegistry(kinds.map((kind) => ({ kind, built: kind.build(deps) })));
  }

  get(key: string): RegisteredKind | undefined {
    return this.byKey.get(key);
  }

  /** The kinds' keys, in registry order. */
  keys(): string[] {
    return this.entries.map((e) => e.kind.key);
  }

  /** A target's key across kinds (`kind:…`); a delivery is keyed by its alert and this. */
  keyOf(target: DeliveryTarget): string {
    const entry = this.byKey.get(target.kind);
    return entry ? targetKeyOf(entry.kind, target) : `${target.kind}:${JSON.stringify(target)}`;
  }

  /** A target for people, with its kind: "SOC › Alerts (Teams)", "soc@mssp.example (email)". */
  show(target: DeliveryTarget, view: Pick<TargetViewContext, 'placeName'>): { target: string; kind: string } {
    const entry = this.byKey.get(target.kind);
    return entry ? { target: entry.built.show(target, view), kind: entry.kind.noun } : { target: target.kind, kind: target.kind };
  }

  /** Targets configured outside rules (webhook endpoints), with their kind. */
  configured(): (ConfiguredTarget & { kind: TargetKind })[] {
    return this.entries.flatMap((e) => e.built.configured().map((c) => ({ ...c, kind: e.kind })));
  }

  /** Releases what the kinds hold open. */
  close(): void {
    for (const e of this.entries) e.built.close();
  }
}
