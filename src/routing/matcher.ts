import { isDeviceEvidence, type Alert } from '../defender/alert.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import type { TargetRef } from '../delivery/targets/target-kind.js';
import type { NotificationRule } from './store-schema.js';
import { DEFAULT_NOTIFY, EARLIER_GROUPING, type Grouping, type NotifyMode } from './rule-grouping.js';

/** The rule that applies while no rule exists at all: medium and higher to each tenant's linked channels. */
export const DEFAULT_RULE_ID = 'default';

export const DEFAULT_CONTENT: ContentOptions = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };

export const DEFAULT_RULE: NotificationRule = {
  id: DEFAULT_RULE_ID,
  name: 'Default: medium and higher to linked channels',
  enabled: true,
  tenants: { scope: 'all' },
  severities: ['high', 'medium'],
  deviceGroups: [],
  serviceSources: [],
  detectionSources: [],
  categories: [],
  content: DEFAULT_CONTENT,
  targets: [{ kind: 'teams', value: 'channels' }],
  grouping: EARLIER_GROUPING,
  notify: DEFAULT_NOTIFY,
  createdBy: 'SOC Bridge',
  createdByName: 'SOC Bridge',
  createdAt: '1970-01-01T00:00:00.000Z',
  updatedAt: '1970-01-01T00:00:00.000Z',
};

/** A rule turned into set lookups, so matching an alert costs a few hash probes. */
export interface CompiledRule {
  readonly id: string;
  readonly tenantIn: ((tenantId: string) => boolean) | undefined;
  readonly severities: ReadonlySet<string> | undefined;
  readonly serviceSources: ReadonlySet<string> | undefined;
  readonly detectionSources: ReadonlySet<string> | undefined;
  /** Lower case. */
  readonly categories: ReadonlySet<string> | undefined;
  /** Lower case. */
  readonly deviceGroups: ReadonlySet<string> | undefined;
  /** Lower case. */
  readonly titleContains: string | undefined;
  readonly content: ContentOptions;
  readonly grouping: Grouping;
  readonly notify: NotifyMode;
  /** The references `mode:` lets through. */
  readonly targets: readonly TargetRef[];
}

const setOf = (values: readonly string[], lower = false): ReadonlySet<string> | undefined =>
  values.length === 0 ? undefined : new Set(lower ? values.map((v) => v.toLowerCase()) : values);

export function compileRule(rule: NotificationRule): CompiledRule {
  const scope = rule.tenants;
  const tenantSet = scope.scope === 'all' ? undefined : new Set(scope.tenantIds);
  return {
    id: rule.id,
    tenantIn: !tenantSet ? undefined : scope.scope === 'only' ? (id) => tenantSet.has(id) : (id) => !tenantSet.has(id),
    severities: setOf(rule.severities),
    serviceSources: setOf(rule.serviceSources),
    detectionSources: setOf(rule.detectionSources),
    categories: setOf(rule.categories, true),
    deviceGroups: setOf(rule.deviceGroups, true),
    titleContains: rule.titleContains?.toLowerCase(),
    content: { ...rule.content },
    grouping: rule.grouping,
    notify: rule.notify,
    targets: usedTargets(rule),
  };
}

/** The references a rule delivers to: all of them, or only those of the kinds `mode:` names. */
export function usedTargets(rule: Pick<NotificationRule, 'targets' | 'mode'>): TargetRef[] {
  const { mode } = rule;
  return rule.targets.filter((t) => mode === undefined || mode.includes(t.kind));
}

/** What rules look at in an alert, each computed at most once per alert. */
export class AlertFacts {
  private title: string | undefined;
  private groups: ReadonlySet<string> | undefined;

  constructor(readonly alert: Alert) {}

  lowerTitle(): string {
    this.title ??= this.alert.title.toLowerCase();
    return this.title;
  }

  /** The device groups (rbacGroupName) of the alert's devices, lower case. */
  deviceGroups(): ReadonlySet<string> {
    if (!this.groups) {
      const names = new Set<string>();
      for (const evidence of this.alert.evidence) {
        if (isDeviceEvidence(evidence) && evidence.rbacGroupName) names.add(evidence.rbacGroupName.toLowerCase());
      }
      this.groups = names;
    }
    return this.groups;
  }
}

/**
 * Whether the rule selects the alert. Every filter must hold; an empty filter holds for any
 * value. An alert with no device evidence is in no device group, so device-group rules skip it
 * (as Defender's device-group scoping does).
 */
export function ruleMatches(rule: CompiledRule, tenantId: string, facts: AlertFacts): boolean {
  const alert = facts.alert;
  if (rule.tenantIn && !rule.tenantIn(tenantId)) return false;
  if (rule.severities && !rule.severities.has(alert.severity)) return false;
  if (rule.serviceSources && !rule.serviceSources.has(alert.serviceSource ?? '')) return false;
  if (rule.detectionSources && !rule.detectionSources.has(alert.detectionSource ?? '')) return false;
  if (rule.categories && !rule.categories.has((alert.category ?? '').toLowerCase())) return false;
  if (rule.titleContains !== undefined && !facts.lowerTitle().includes(rule.titleContains)) return false;
  if (rule.deviceGroups) {
    let inGroup = false;
    for (const group of facts.deviceGroups()) {
      if (rule.deviceGroups.has(group)) {
        inGroup = true;
        break;
      }
    }
    if (!inGroup) return false;
  }
  return true;
}
