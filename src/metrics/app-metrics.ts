import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActionVerb } from '../commands/action-verbs.js';
import type { CommandName } from '../commands/catalog.js';
import type { RouteObserver, RouteOutcome } from '../commands/pipeline.js';
import type { GraphAttemptOutcome, GraphRequestObserver } from '../defender/graph-client.js';
import type { GraphTokenProvider } from '../defender/token-provider.js';
import type { PollObserver, PollOutcome } from '../delivery/poller.js';
import type { Storage } from '../store/storage.js';
import { BoundedLabels } from './bounded-labels.js';
import { StateMetrics, type StateSources } from './state-metrics.js';
import { timeStorage } from './timed-storage.js';
import { countTokenFailures } from './token-failures.js';

/**
 * Tenants with a `tenant` label of their own; past this many, further tenants share `other`. Each
 * tenant costs about 17 series (Graph requests by outcome, the latency histogram, token failures),
 * so the bound keeps a deployment under about 8,500 tenant series.
 */
export const MAX_TENANT_LABELS = 500;

const GRAPH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// 0.5 s is the goal for a card action's p95; 1.5 s is when the interim card is answered instead.
const CARD_ACTION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10];
const STORE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface AppMetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC): only when metrics are served, as they keep observers running. */
  readonly processMetrics: boolean;
  readonly tenantLabelLimit?: number;
}

/**
 * The app's metrics, on a registry of its own (several apps in one process never share one).
 * It is the observer the seams report to (Graph client, poller, command pipeline), wraps the
 * storage and the token provider to time and count them, and reads delivery and tenant state at
 * each scrape. Composition passes it around; nothing imports a global.
 */
export class AppMetrics implements GraphRequestObserver, PollObserver, RouteObserver {
  readonly registry = new Registry();
  private readonly tenantLabels: BoundedLabels;
  private state: StateMetrics | undefined;
  private tenantHandle: (tenantId: string) => string | undefined = () => undefined;
  private readonly graphRequests: Counter<'tenant' | 'outcome'>;
  private readonly graphSeconds: Histogram<'tenant'>;
  private readonly tokenFailures: Counter<'tenant' | 'code'>;
  private readonly pollSeconds: Histogram<'outcome'>;
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly actionSeconds: Histogram<'verb' | 'outcome'>;
  private readonly storeSeconds: Histogram<'backend' | 'operation'>;

  constructor(options: AppMetricsOptions) {
    const registers = [this.registry];
    this.tenantLabels = new BoundedLabels(options.tenantLabelLimit ?? MAX_TENANT_LABELS, (tenantId) => this.tenantHandle(tenantId));
    this.graphRequests = new Counter({ name: 'socbridge_graph_requests_total', help: 'HTTP requests to Microsoft Graph, retries included, by tenant and outcome (ok, rejected = 4xx, throttled = 429, failed = 5xx, timeout or network).', labelNames: ['tenant', 'outcome'], registers });
    this.graphSeconds = new Histogram({ name: 'socbridge_graph_request_duration_seconds', help: 'Time Microsoft Graph took to answer one request, by tenant.', labelNames: ['tenant'], buckets: GRAPH_BUCKETS, registers });
    this.tokenFailures = new Counter({ name: 'socbridge_token_failures_total', help: 'Failed Graph token requests to Entra ID, by tenant and error code.', labelNames: ['tenant', 'code'], registers });
    this.pollSeconds = new Histogram({ name: 'socbridge_poll_duration_seconds', help: 'Polls of a tenant for new and changed alerts, by outcome (ok, deferred, failed, stopped); _count is the number of polls.', labelNames: ['outcome'], buckets: POLL_BUCKETS, registers });
    this.commands = new Counter({ name: 'socbridge_commands_total', help: 'Chat commands by name and outcome (ok, denied, invalid, failed; unknown for text that names no command).', labelNames: ['command', 'outcome'], registers });
    this.actionSeconds = new Histogram({ name: 'socbridge_card_action_duration_seconds', help: 'Card clicks from reaching the pipeline to their answer being ready (Graph included), by verb and outcome.', labelNames: ['verb', 'outcome'], buckets: CARD_ACTION_BUCKETS, registers });
    this.storeSeconds = new Histogram({ name: 'socbridge_store_operation_duration_seconds', help: 'Storage operations that reach the backend (file or database), by backend and operation.', labelNames: ['backend', 'operation'], buckets: STORE_BUCKETS, registers });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The state metrics read these at every scrape; tenant handles label the tenant metrics from then on. */
  watch(sources: StateSources & { readonly tenants: { find(ref: string): { handle: string } | undefined } }): void {
    this.tenantHandle = (tenantId) => sources.tenants.find(tenantId)?.handle;
    this.state = new StateMetrics(this.registry, sources, (tenantId) => this.tenantLabels.label(tenantId));
  }

  graphRequest(tenantId: string, outcome: GraphAttemptOutcome, seconds: number): void {
    const tenant = this.tenantLabels.label(tenantId);
    this.graphRequests.inc({ tenant, outcome });
    this.graphSeconds.observe({ tenant }, seconds);
  }

  pollDone(outcome: PollOutcome, seconds: number): void {
    this.pollSeconds.observe({ outcome }, seconds);
  }

  commandDone(command: CommandName | 'unknown', outcome: RouteOutcome | 'unknown'): void {
    this.commands.inc({ command, outcome });
  }

  actionDone(verb: ActionVerb, outcome: RouteOutcome, seconds: number): void {
    this.actionSeconds.observe({ verb, outcome }, seconds);
  }

  /** The same storage, each operation timed. */
  timeStorage(storage: Storage): Storage {
    return timeStorage(storage, (operation, seconds) => this.storeSeconds.observe({ backend: storage.kind, operation }, seconds));
  }

  /** The same token provider, each failure counted. */
  countTokenFailures(provider: GraphTokenProvider): GraphTokenProvider {
    return countTokenFailures(provider, (tenantId, code) => this.tokenFailures.inc({ tenant: this.tenantLabels.label(tenantId), code }));
  }

  /** The Prometheus text exposition, state metrics read now. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    this.state?.update();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
