/**
 * The Microsoft cloud side of a benchmark: the Entra and Graph emulators in a process of their
 * own. In production Graph sorts, filters and serializes alerts on Microsoft's machines, so that
 * work must not share the bot's event loop or count in the bot's CPU time. Driven over IPC
 * (see protocol.ts); exits when the parent goes away.
 */
import { readFileSync } from 'node:fs';
import { generateBacklog, generateNewAlert } from '../../src/emulator/demo-data.js';
import { DEFAULT_CONSENT_ROLES, EntraEmulator } from '../../src/emulator/entra.js';
import { GraphSecurityEmulator } from '../../src/emulator/graph-security.js';
import type { TlsMaterial } from '../../src/emulator/http-kit.js';
import type { RaiseRequest, RaisedAlert, RemoteReply, RemoteRequest, RemoteStats, SetupRequest } from './protocol.js';

interface Running {
  readonly entra: EntraEmulator;
  readonly graph: GraphSecurityEmulator;
  readonly tenantIds: readonly string[];
}

let running: Running | undefined;

function send(reply: RemoteReply): void {
  process.send?.(reply);
}

async function setup(request: SetupRequest): Promise<{ running: Running; seededAlerts: number; seededIncidents: number }> {
  const tls: TlsMaterial = { cert: readFileSync(request.tlsCertPath, 'utf8'), key: readFileSync(request.tlsKeyPath, 'utf8') };
  const entra = await EntraEmulator.start({ tls });
  const graph = await GraphSecurityEmulator.start({ tls, throttle: request.throttle, ...(request.graphResponseDelayMs ? { responseDelayMs: request.graphResponseDelayMs } : {}) });
  entra.registerApp({ clientId: request.app.clientId, secret: request.app.secret, displayName: 'SOC Bridge (benchmark)' });
  const now = new Date(request.now);
  let seededAlerts = 0;
  let seededIncidents = 0;
  for (const tenant of request.tenants) {
    entra.addTenant({ tenantId: tenant.tenantId, domains: [tenant.domain], displayName: tenant.orgName });
    entra.grantConsent(tenant.tenantId, request.app.clientId, DEFAULT_CONSENT_ROLES);
    graph.addTenant(tenant.tenantId);
    const backlog = generateBacklog({ tenantId: tenant.tenantId, domain: tenant.domain, orgName: tenant.orgName }, tenant.alerts, now, tenant.handle);
    graph.seedAlerts(tenant.tenantId, backlog);
    seededAlerts += backlog.length;
    seededIncidents += graph.incidentRecords(tenant.tenantId).length;
  }
  return { running: { entra, graph, tenantIds: request.tenants.map((t) => t.tenantId) }, seededAlerts, seededIncidents };
}

function raise({ graph }: Running, request: RaiseRequest): RaisedAlert[] {
  const raised: RaisedAlert[] = [];
  for (const batch of request.batches) {
    for (let n = 0; n < batch.count; n++) {
      const now = new Date();
      const alertId = `${batch.tag}-${batch.tenantId.slice(-6)}-${n}`;
      const alert = generateNewAlert({ tenantId: batch.tenantId, domain: 'customer.example', orgName: 'Customer' }, now, alertId);
      const iso = now.toISOString();
      graph.raiseAlert(batch.tenantId, { ...alert, id: alertId, severity: batch.severity, status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
      raised.push({ tenantId: batch.tenantId, alertId, atMs: Date.now() });
    }
  }
  return raised;
}

function stats({ entra, graph, tenantIds }: Running): RemoteStats {
  let graphRequests = 0;
  let graphThrottled = 0;
  const graphNon200: Record<string, number> = {};
  for (const tenantId of tenantIds) {
    const counters = graph.counters(tenantId);
    graphRequests += counters.requests;
    graphThrottled += counters.throttled;
    for (const [status, count] of Object.entries(counters.byStatus)) {
      if (status !== '200') graphNon200[status] = (graphNon200[status] ?? 0) + count;
    }
  }
  const discoveryRequests = tenantIds.reduce((sum, id) => sum + entra.discoveryRequests(id), 0);
  const cpu = process.cpuUsage();
  return { graphRequests, graphNon200, graphThrottled, tokenRequests: entra.totalTokenRequests(), discoveryRequests, cpuMicros: cpu.user + cpu.system };
}

async function stop(): Promise<void> {
  const current = running;
  running = undefined;
  if (current) await Promise.all([current.entra.close(), current.graph.close()]);
}

async function handle(request: RemoteRequest): Promise<void> {
  try {
    if (request.type === 'setup') {
      if (running) throw new Error('remote services are already set up');
      const started = await setup(request);
      running = started.running;
      send({ id: request.id, type: 'ready', authorityHost: running.entra.authorityHost, graphBaseUrl: running.graph.baseUrl, seededAlerts: started.seededAlerts, seededIncidents: started.seededIncidents });
    } else if (request.type === 'raise') {
      if (!running) throw new Error('remote services are not set up');
      send({ id: request.id, type: 'raised', alerts: raise(running, request) });
    } else if (request.type === 'stats') {
      if (!running) throw new Error('remote services are not set up');
      send({ id: request.id, type: 'stats', stats: stats(running) });
    } else {
      await stop();
      send({ id: request.id, type: 'stopped' });
      process.disconnect();
    }
  } catch (error) {
    send({ id: request.id, type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

if (!process.send) {
  console.error('remote-services runs as a child of a benchmark (child_process.fork), not on its own');
  process.exit(2);
}
process.on('message', (message) => void handle(message as RemoteRequest));
// A parent that crashed or was killed must not leave emulators listening.
process.on('disconnect', () => void stop().finally(() => process.exit(0)));
