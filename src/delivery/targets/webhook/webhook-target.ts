import { z } from 'zod/v4';
import { utc } from '../../../alerts/alert-views.js';
import { UsageError } from '../../../errors.js';
import { nearest } from '../../../text/nearest.js';
import { GenericWorker } from '../../generic-worker.js';
import type { DeliveryTarget } from '../../ports.js';
import { targetKeyOf, type BuiltTargetKind, type TargetKind, type TargetRef } from '../target-kind.js';
import { originOf, type WebhookEndpoint } from './webhook-config.js';
import { WebhookSender, endpointOf } from './webhook-sender.js';

const NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const HOW_TO_CONFIGURE = 'set WEBHOOK_<NAME>_URL and WEBHOOK_<NAME>_SECRET (see the configuration table in README.md) and restart SOC Bridge.';
const FORMAT_LABELS = { socbridge: 'SOC Bridge JSON', 'splunk-hec': 'Splunk HEC events' } as const;

const webhook = (endpoint: string) => ({ kind: 'webhook', endpoint });

/**
 * Outbound webhooks, for a SIEM or SOAR: endpoints declared in configuration by name, named in rules
 * as `webhook:<name>`. Every event is signed; changes to an alert follow as `updated` events; an
 * endpoint that refuses for good is marked failing and the SOC is told once.
 */
export const WEBHOOK_TARGETS: TargetKind = {
  key: 'webhook',
  title: 'Webhook',
  noun: 'webhook',
  missing: 'sends to webhooks, but the rule has no webhook. Add one with to:webhook:<name> (an endpoint configured with WEBHOOK_<NAME>_URL)',
  targetSchema: z.object({ kind: z.literal('webhook'), endpoint: z.string().min(1) }),
  recognise(word, key) {
    const match = /^webhook:(.*)$/i.exec(word.trim());
    if (!match) return undefined;
    const name = (match[1] ?? '').trim().toLowerCase();
    if (!NAME.test(name)) throw new UsageError(`${key}: "${word.slice(0, 60)}" is not a webhook: use webhook:<name>, the name of a configured endpoint (WEBHOOK_SIEM_URL is webhook:siem).`);
    return { kind: 'webhook', value: name };
  },
  word: (ref) => `webhook:${ref.value}`,
  keyOf: endpointOf,
  build(deps) {
    const endpoints = deps.config.webhooks;
    const names = endpoints.map((e) => e.name);
    const sender = new WebhookSender(endpoints, { clock: deps.clock, ruleName: deps.ruleName, host: new URL(deps.config.publicBaseUrl).hostname, timeoutMs: 10_000 });
    const show = (target: DeliveryTarget) => `webhook ${endpointOf(target)}`;
    const built: BuiltTargetKind = {
      availability: endpoints.length > 0 ? { available: true, reason: '' } : { available: false, reason: `no webhook is configured: ${HOW_TO_CONFIGURE}` },
      rules: {
        resolve: (ref) => known(ref, names),
        check: () => undefined,
        warnings: () => [],
        describe: (refs, view) =>
          refs
            .map((r) => {
              const health = view.healthOf(webhook(r.value));
              const state = !names.includes(r.value) ? ' (not configured)' : health?.failing ? ` (failing since ${utc(health.failing.at)}: ${health.failing.reason})` : '';
              return `${r.value}${state}`;
            })
            .join(', '),
        expand: (ref) => (names.includes(ref.value) ? [webhook(ref.value)] : []),
      },
      show,
      explain: (error) => `${error.userMessage}${error.kind === 'rejected' ? '. Alerts it refuses this way are not retried: fix the receiving side.' : ''}`,
      configured: () => endpoints.map((e: WebhookEndpoint) => ({ target: webhook(e.name), label: `Webhook ${e.name}`, detail: `${FORMAT_LABELS[e.format]} to ${originOf(e.url)}` })),
      createWorker: (ctx) => {
        const tuning = ctx.tuning.senders?.webhook ?? {};
        const maxAttempts = tuning.maxAttempts ?? 8;
        return new GenericWorker(ctx, sender, {
          kind: 'webhook',
          concurrency: tuning.concurrency ?? 4,
          limits: { maxTransientAttempts: maxAttempts, maxThrottledAttempts: maxAttempts * 2, backoff: tuning.backoff ?? { baseMs: 1000, capMs: 5 * 60_000 } },
          followsChanges: true,
          reportsHealth: true,
          targetKeyOf: (target) => targetKeyOf(WEBHOOK_TARGETS, target),
          show,
        });
      },
      close: () => undefined,
    };
    return built;
  },
};

/** A configured endpoint's reference; an unknown name is refused with the nearest one. */
function known(ref: TargetRef, names: readonly string[]): TargetRef {
  if (names.includes(ref.value)) return ref;
  const hint = nearest(ref.value, names);
  const configured = names.length > 0 ? ` Configured: ${names.map((n) => `webhook:${n}`).join(', ')}.` : ` No webhook is configured: ${HOW_TO_CONFIGURE}`;
  throw new UsageError(`to: there is no webhook "${ref.value}".${hint ? ` Did you mean webhook:${hint}?` : ''}${configured}`);
}
