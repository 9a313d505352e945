import type { Clock } from '../clock.js';
import type { DeliveryOutcome } from '../delivery/outcomes.js';
import type { RoutedTarget, SampleDelivery, SampleRequest } from '../delivery/ports.js';
import { SAMPLE_TENANT } from '../delivery/samples.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { ChannelLinks } from './channel-links.js';
import type { RuleRouter } from './router.js';
import { kindsUsed } from './rule-targets.js';
import { describeEscalation } from './rule-views.js';
import type { RuleService } from './rule-service.js';
import { sampleAlert } from './sample-alert.js';
import type { NotificationRule } from './store-schema.js';

/** One sample sent (or not) by `rule test`. */
export interface TestDelivery {
  /** The target's kind in words: "Teams", "email", "webhook". */
  readonly kind: string;
  /** The target for people: a channel's name, an address, "webhook siem". */
  readonly target: string;
  /** `trying`: not settled within the wait (still queued, or being retried). */
  readonly status: 'sent' | 'failed' | 'trying';
  readonly detail?: string;
}

export interface TestReport {
  readonly rule: NotificationRule;
  readonly deliveries: TestDelivery[];
  /** Why some targets got nothing (e.g. a tenant with no linked channel). */
  readonly notes: string[];
}

const MAX_TEST_TARGETS = 25;

/**
 * `rule test`, like Defender's "Send test email": a clearly marked sample alert goes through the
 * outbox to every target the rule reaches now (once per target), exactly as a real alert would,
 * and the admin reads what became of each, or that it is still being tried.
 */
export class RuleTester {
  constructor(
    private readonly deps: {
      rules: RuleService;
      router: RuleRouter;
      links: ChannelLinks;
      targets: TargetRegistry;
      samples: SampleDelivery;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async test(ruleId: string, actor: Actor): Promise<TestReport> {
    const rule = this.deps.rules.get(ruleId);
    const covered = this.deps.rules.coveredTenants(rule);
    const notes: string[] = [];
    const planned = new Map<string, { routed: RoutedTarget; tenant: TenantRecord }>();
    const used = kindsUsed(this.deps.targets, rule);
    // A rule covering no tenant yet still has targets that need none (addresses, endpoints): they get a sample naming a placeholder customer.
    for (const tenant of covered.length > 0 ? covered : [SAMPLE_TENANT]) {
      const routed = this.deps.router.targetsOf(rule, tenant);
      if (tenant !== SAMPLE_TENANT) {
        for (const key of used) {
          if (!routed.some((r) => r.target.kind === key)) notes.push(`${tenant.displayName} has no working target among this rule's ${this.deps.targets.get(key)?.kind.title ?? key} targets.`);
        }
      }
      for (const r of routed) {
        const key = this.deps.targets.keyOf(r.target);
        if (!planned.has(key)) planned.set(key, { routed: r, tenant });
      }
    }
    if (rule.escalation) notes.push(`Escalation: ${describeEscalation(rule.escalation, this.deps.links)}. A sample is never escalated.`);
    const all = [...planned.values()];
    if (all.length > MAX_TEST_TARGETS) notes.push(`The rule reaches ${all.length} targets; the sample went to the first ${MAX_TEST_TARGETS} only.`);
    const now = this.deps.clock.now();
    const alerts = new Map<TenantRecord, ReturnType<typeof sampleAlert>>();
    const requests: SampleRequest[] = all.slice(0, MAX_TEST_TARGETS).map(({ routed, tenant }) => {
      const alert = alerts.get(tenant) ?? sampleAlert(rule, tenant, now);
      alerts.set(tenant, alert);
      return { tenant, alert, routed };
    });
    const results = requests.length === 0 ? [] : await this.deps.samples.sendSamples(requests, { requestedBy: actor.displayName, ruleName: rule.name });
    const deliveries = results.map(({ routed, outcome }) => this.describe(routed, outcome));
    this.deps.logger.info(
      { event: 'rule.tested', ruleId: rule.id, sent: deliveries.filter((d) => d.status === 'sent').length, failed: deliveries.filter((d) => d.status === 'failed').length, userId: actor.userId },
      'rule test sent',
    );
    return { rule, deliveries, notes };
  }

  private describe(routed: RoutedTarget, outcome: DeliveryOutcome): TestDelivery {
    const shown = this.deps.targets.show(routed.target, this.deps.links);
    const explain = this.deps.targets.get(routed.target.kind)?.built.explain;
    const said = outcome.status === 'sent' ? undefined : outcome.failure && explain ? explain(outcome.failure) : undefined;
    switch (outcome.status) {
      case 'sent':
        return { kind: shown.kind, target: shown.target, status: 'sent' };
      case 'trying':
        return { kind: shown.kind, target: shown.target, status: 'trying', detail: said ? `the last attempt failed: ${said}` : 'it is still waiting its turn' };
      default:
        return { kind: shown.kind, target: shown.target, status: 'failed', detail: said ?? outcome.reason };
    }
  }
}
