import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'restify';
import { AlertActions } from './alerts/alert-actions.js';
import { AlertService } from './alerts/alert-service.js';
import { createAppFacade, type AppFacade } from './app-facade.js';
import { IncidentActions } from './incidents/incident-actions.js';
import { IncidentService } from './incidents/incident-service.js';
import { AuditLog } from './audit/audit-log.js';
import { GraphSecurityClient } from './defender/graph-client.js';
import { GRAPH_TENANT_WINDOW, TenantRateGate } from './defender/tenant-rate-gate.js';
import { createGraphTokenProvider } from './defender/token-provider.js';
import { startSandbox, type DefenderEndpoints, type Sandbox } from './sandbox/sandbox.js';
import { TenantRegistry } from './tenants/tenant-registry.js';
import type { TlsMaterial } from './emulator/http-kit.js';
import { systemClock, type Clock } from './clock.js';
import type { Services } from './commands/context.js';
import type { AppConfig } from './config.js';
import { ConversationRegistry } from './conversations/conversation-registry.js';
import type { Logger } from './log.js';
import { RoleService } from './roles/role-service.js';
import { createServer, listen, stopServer } from './server.js';
import { openStorage } from './store/open-storage.js';
import { InProcessRateBudgets } from './store/in-process-rate-budgets.js';
import type { Storage } from './store/storage.js';
import { DELIVERY_RECORD_SET } from './delivery/ledger.js';
import { createAdapter } from './teams/adapter.js';
import { createBot } from './teams/bot.js';
import { DeliveryNotices } from './notify/delivery-notices.js';
import { SocNotifier } from './notify/soc-notifier.js';
import { TeamsMessenger } from './teams/messenger.js';
import type { Messenger } from './conversations/messenger.js';
import { ProactiveReach } from './conversations/proactive-reach.js';
import { TargetRegistry } from './delivery/targets/registry.js';
import { createRouting, type Routing } from './routing/compose.js';
import { createOnboarding } from './onboarding/compose.js';
import { DeliveryService, type DeliveryTuning } from './delivery/delivery-service.js';
import { StatsService } from './stats/stats-service.js';
import { createSummaries } from './summaries/compose.js';
import { escalationCompanion } from './escalation/compose.js';
import { DELIVERY_LEASE, DeliveryCoordinator } from './delivery/delivery-coordinator.js';
import { DELIVERY_MAILBOX } from './delivery/owner-requests.js';
import { DEFAULT_SAMPLE_WAIT_MS } from './delivery/settings.js';
import { TeamsBudgets, conversationWindows } from './delivery/pacing.js';
import { TeamsSendGate } from './delivery/send-gate.js';
import { TARGET_STATUSES } from './delivery/status-schema.js';
import { TargetStatusBoard } from './delivery/target-status-board.js';
import { AppMetrics } from './metrics/app-metrics.js';
import { metricsEnabled } from './metrics/metrics-config.js';
import { startMetricsListener } from './metrics/metrics-endpoint.js';

export interface RunningApp {
  readonly port: number;
  readonly url: string;
  /** Where state is kept (the embedded files, or PostgreSQL). */
  readonly storage: Storage;
  readonly services: Services;
  /** Posts and edits messages proactively (alert cards, consent cards). */
  readonly messenger: Messenger;
  /** The in-process emulators, in sandbox mode. */
  readonly sandbox: Sandbox | undefined;
  /** Read-only answers about the app's state (roles, tenants, links, rules, onboarding, audit) for tests. */
  readonly testing: AppFacade;
  /** Proactive alert delivery: run here, or (several instances on PostgreSQL) on the instance holding the delivery lease. */
  readonly delivery: DeliveryCoordinator;
  /** `GET /metrics` on the loopback listener of METRICS_PORT, when it is set. */
  readonly metricsUrl: string | undefined;
  /** Stops taking work, finishes requests in flight, flushes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** What the composition root takes besides the configuration. */
export interface AppDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How long a card action may run before its interim card is returned. */
  readonly actionDeadlineMs?: number;
  /** Certificate for the sandbox emulators when not the one `npm start` prepares (tests). */
  readonly sandboxTls?: TlsMaterial;
  /** Delivery pacing and retry knobs (tests and benchmarks); production uses the defaults. */
  readonly deliveryTuning?: DeliveryTuning;
}

/** Composition root: config → store → Defender clients → services → Teams edge → HTTP server → delivery. */
export async function startApp(config: AppConfig, deps: AppDeps): Promise<RunningApp> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const metrics = new AppMetrics({ processMetrics: metricsEnabled(config.metrics) });
  const scrapes = { token: config.metrics.token, exposition: () => metrics.exposition() };
  // First, so a port that cannot be had stops start-up before anything else is opened.
  const metricsListener = config.metrics.port === undefined ? undefined : await startMetricsListener(config.metrics.port, scrapes, logger);
  const storage = metrics.timeStorage(await openStorage(config, { logger, clock }));
  const tenants = new TenantRegistry({ storage, clock, logger });
  await storage.refresh();
  const sandbox = config.defender.kind === 'sandbox' ? await startSandbox({ config, tenants, clock, logger, ...(deps.sandboxTls ? { tls: deps.sandboxTls } : {}) }) : undefined;
  const endpoints: DefenderEndpoints = sandbox?.endpoints ?? (config.defender as Extract<AppConfig['defender'], { kind: 'connected' }>);
  const tokens = metrics.countTokenFailures(createGraphTokenProvider({ credentials: endpoints.credentials, authorityHost: endpoints.authorityHost, logger }));
  // Every instance on the database draws from one budget per customer tenant.
  const graph = new GraphSecurityClient({ baseUrl: endpoints.graphBaseUrl, tokens, clock, logger, rateGate: new TenantRateGate(storage.rates, GRAPH_TENANT_WINDOW, clock), observer: metrics });
  const audit = new AuditLog({ storage, clock });
  const alerts = new AlertService({ graph, tenants, clock, logger });
  const incidents = new IncidentService({ graph, alerts, clock });
  // Everything sent to Teams counts in each conversation's shared budget as it leaves: replies, card
  // actions' answers and notices ahead of alert cards. Teams counts in wall-clock time, as the
  // database's clock does; the embedded store's single process keeps its Teams budgets on the system
  // clock too, whatever clock drives the rest of the app (tests).
  const teamsRates = storage.kind === 'embedded' ? new InProcessRateBudgets(systemClock) : storage.rates;
  const teamsBudgets = new TeamsBudgets({ rates: teamsRates, logger }, conversationWindows(deps.deliveryTuning ?? {}));
  const adapter = createAdapter(config, new TeamsSendGate({ budgets: teamsBudgets, clock: systemClock, logger }));
  const botAppId = config.bot.kind === 'keyless' ? '' : config.bot.appId;
  const messenger: Messenger = new TeamsMessenger(adapter, botAppId, () => clock.nowMs());
  const deliveryMessenger: Messenger = new TeamsMessenger(adapter, botAppId, () => clock.nowMs(), true);
  const conversations = new ConversationRegistry({ storage, clock, logger });
  const targets = TargetRegistry.build({ config, clock, logger, ruleName: (ruleId) => routing.rules.nameOf(ruleId) });
  const roles = new RoleService({ storage, clock, logger, bootstrapAdminIds: config.bootstrapAdminIds });
  const routing = createRouting({ storage, conversations, tenants, targets, people: roles, samples: { sendSamples: (samples, sample) => delivery.sendSamples(samples, sample) }, clock, logger, lastDeliveryAt: (target) => delivery.lastDeliveryAt(target) });
  const soc = new SocNotifier({ storage, conversations, messenger, logger });
  const holder = instanceId();
  // On the database, only the instance holding the delivery lease writes delivery's records (and its escalations).
  const deliveryWriter = storage.kind === 'postgres' ? { lease: DELIVERY_LEASE, holder } : undefined;
  const escalations = escalationCompanion({ storage, writer: deliveryWriter, rules: routing.rules.records, reach: routing.router, tenants, conversations, graph, clock, logger, retentionMs: config.delivery.retentionMs });
  const createDeliveryService = (mayDeliver: () => boolean) =>
    new DeliveryService({
      mayDeliver,
      companions: (ctx) => [escalations(ctx)],
      records: storage.recordSet(DELIVERY_RECORD_SET, deliveryWriter), refreshState: () => storage.refresh(), clock, logger, graph, tenants, failures: alerts, conversations, messenger: deliveryMessenger, notices: new DeliveryNotices({ soc, conversations }),
      router: routing.router, linkHealth: routing.links, targets,
      settings: config.delivery,
      pollObserver: metrics,
      ...(deps.deliveryTuning ? { tuning: deps.deliveryTuning } : {}),
    });
  const delivery = new DeliveryCoordinator({
    // The embedded store's folder lock makes this process the only one; on PostgreSQL instances take turns.
    mode: storage.kind === 'embedded' ? { kind: 'solo' } : { kind: 'leased', leases: storage.leases, holder, ttlMs: config.deliveryLeaseMs },
    createService: createDeliveryService,
    mailbox: storage.mailbox(DELIVERY_MAILBOX),
    statuses: new TargetStatusBoard(storage.collection(TARGET_STATUSES), (target) => targets.keyOf(target)),
    tenants,
    logger,
    sampleWaitMs: deps.deliveryTuning?.sampleWaitMs ?? DEFAULT_SAMPLE_WAIT_MS,
  });
  metrics.watch({ delivery, tenants, clock });
  if (sandbox) raiseFirstAlertOnLink(sandbox, routing, delivery, logger);
  const onboarding = await createOnboarding({ config, endpoints, storage, tenants, roles, conversations, messenger, soc, audit, graph, links: routing.links, clock, logger });
  const stats = new StatsService({ graph, alerts, audit, clock });
  const summaries = createSummaries({ storage, tenants, links: routing.links, alerts, stats, soc, conversations, messenger, clock, logger });
  const services: Services = {
    roles,
    conversations,
    tenants,
    alerts,
    alertActions: new AlertActions({ graph, alerts, tenants, audit, clock, logger, changes: delivery }),
    incidents,
    incidentActions: new IncidentActions({ graph, incidents, tenants, audit, clock, logger, changes: delivery }),
    audit,
    soc,
    onboarding,
    links: routing.links,
    reach: new ProactiveReach({ messenger, logger }),
    rules: routing.rules,
    ruleTester: routing.ruleTester,
    targets,
    delivery,
    stats,
    summaries: summaries.service,
  };
  // Every capability has declared its collections by now: read them before serving.
  await storage.refresh();
  const bot = createBot({ config, adapter, services, clock, logger, refresh: () => storage.refresh(), observer: metrics, ...(deps.actionDeadlineMs === undefined ? {} : { actionDeadlineMs: deps.actionDeadlineMs }) });
  let ready = false;
  const consentCallback = {
    handle: async (query: unknown) => {
      await storage.refresh();
      return onboarding.callback.handle(query);
    },
  };
  const site = { operator: config.operator, mode: config.mode, retentionMs: config.delivery.retentionMs };
  const server: Server = createServer({
    bot, logger, isReady: async () => ready && (await storage.healthy()), consentCallback, site,
    ...(scrapes.token === undefined ? {} : { metrics: { ...scrapes, token: scrapes.token } }),
  });
  const port = await listen(server, config.port, config.host);
  ready = true;
  await delivery.start();
  summaries.scheduler.start();
  logger.info({ event: 'app.listening', host: config.host, port, store: storage.location }, `SOC Bridge listening on http://${config.host}:${port}/api/messages`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      await stopServer(server, 10_000);
      await metricsListener?.close();
      await summaries.scheduler.stop();
      await delivery.stop();
      targets.close();
      await sandbox?.stop();
      await storage.close();
      logger.info({ event: 'app.stopped' }, 'SOC Bridge stopped');
    })();
    return stopping;
  };
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const testing = createAppFacade({ services, router: routing.router, delivery });
  return { port, url: `http://${hostInUrl === '0.0.0.0' ? '127.0.0.1' : hostInUrl}:${port}`, storage, services, messenger, sandbox, testing, delivery, metricsUrl: metricsListener?.url, stop };
}

/** This running process among the instances on one database: host, process and a random part (a restarted process is a new instance). */
function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Sandbox only: a customer raises a medium-or-higher alert a few seconds after a channel is linked
 * to it, and it is fetched at once instead of at the next poll, so a new user sees a first
 * proactive card within seconds of typing `link`.
 */
function raiseFirstAlertOnLink(sandbox: Sandbox, routing: Routing, delivery: DeliveryCoordinator, logger: Logger): void {
  routing.links.onLinked((tenant) => {
    void sandbox
      .raiseAfterLink(tenant.tenantId)
      .then((alert) => (alert ? delivery.pollNow(tenant) : undefined))
      .catch((error: unknown) => logger.warn({ event: 'sandbox.first_alert_failed', tenant: tenant.handle, err: (error as Error).message }, 'could not raise the first sandbox alert'));
  });
}
