import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { sandboxTlsDir, type AppConfig, type DefenderCredentials } from '../config.js';
import type { Alert } from '../defender/alert.js';
import { generateBacklog, type DemoTenant } from '../emulator/demo-data.js';
import { EntraEmulator } from '../emulator/entra.js';
import { GraphSecurityEmulator } from '../emulator/graph-security.js';
import type { TlsMaterial } from '../emulator/http-kit.js';
import { StartupError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { AlertCadence } from './alert-cadence.js';
import { DEMO_CUSTOMERS, PENDING_DEMO_CUSTOMERS, SANDBOX_CLIENT_ID } from './demo-tenants.js';
import { SandboxWorld } from './sandbox-world.js';

export interface DefenderEndpoints {
  readonly credentials: DefenderCredentials;
  readonly authorityHost: string;
  readonly graphBaseUrl: string;
}

export interface Sandbox {
  readonly endpoints: DefenderEndpoints;
  readonly entra: EntraEmulator;
  readonly graph: GraphSecurityEmulator;
  /** The customers' alerts as kept in DATA_DIR across restarts. */
  readonly world: SandboxWorld;
  /**
   * A channel was just linked to the customer: it raises a medium-or-higher alert in a few seconds.
   * Resolves with that alert, or undefined when the sandbox raises no alerts (SANDBOX_ALERT_INTERVAL=0).
   */
  raiseAfterLink(tenantId: string): Promise<Alert | undefined>;
  stop(): Promise<void>;
}

const GRANTED_ROLES = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All', 'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];

/**
 * Sandbox mode: the Entra ID and Graph security emulators run in this process, with three demo
 * customers already consented, each with a backlog of Defender alerts and new ones now and then,
 * plus one customer (Tailspin Toys) that has not consented yet, to try onboarding with.
 * The customers' alerts and every change made to them are kept in DATA_DIR (`sandbox-world.json`),
 * as Defender would keep them, so cards from an earlier run still work after a restart.
 * The rest of SOC Bridge talks to the emulators exactly as it would to Microsoft, over HTTPS with
 * the real @azure/identity, so the sandbox exercises the production code paths.
 */
export interface SandboxOptions {
  readonly config: AppConfig;
  readonly tenants: TenantRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tls?: TlsMaterial;
  /** Where the emulators listen (0 or absent: any free port). */
  readonly ports?: { readonly entra: number; readonly graph: number };
  /** The consent callbacks admins may be sent back to (default: this app's own). */
  readonly redirectUris?: readonly string[];
  /** The Defender app's client secret (default: a new random one). */
  readonly secret?: string;
}

export async function startSandbox(deps: SandboxOptions): Promise<Sandbox> {
  const tls = deps.tls ?? readSandboxTls(deps.config);
  const secret = deps.secret ?? randomBytes(24).toString('base64url');
  const world = await SandboxWorld.open(deps.config.dataDir, deps);
  const entra = await EntraEmulator.start({ tls, clock: deps.clock, logger: deps.logger, port: deps.ports?.entra ?? 0 });
  const graph = await GraphSecurityEmulator.start({ tls, clock: deps.clock, port: deps.ports?.graph ?? 0, onAlertsChanged: (tenantId) => world.changed(tenantId) });
  const redirectUris = deps.redirectUris ?? [`${deps.config.publicBaseUrl}/auth/consent/callback`];
  entra.registerApp({ clientId: SANDBOX_CLIENT_ID, displayName: 'SOC Bridge (sandbox)', secret, redirectUris: [...redirectUris] });
  const now = deps.clock.now();
  const seedCustomer = (customer: DemoTenant & { backlog: number }, seed: string) => {
    graph.addTenant(customer.tenantId);
    const kept = world.tenant(customer.tenantId);
    graph.restoreIncidents(customer.tenantId, kept?.incidents ?? []);
    graph.seedAlerts(customer.tenantId, kept?.alerts ?? generateBacklog(customer, customer.backlog, now, seed));
    if (!kept) mergeDemoIncidents(graph, customer.tenantId);
  };
  for (const customer of DEMO_CUSTOMERS) {
    entra.addTenant({ tenantId: customer.tenantId, domains: [customer.domain], displayName: customer.orgName });
    entra.grantConsent(customer.tenantId, SANDBOX_CLIENT_ID, GRANTED_ROLES);
    seedCustomer(customer, customer.handle);
    if (!deps.tenants.find(customer.tenantId)) {
      await deps.tenants.add({ handle: customer.handle, displayName: customer.orgName, tenantId: customer.tenantId, domain: customer.domain, status: 'connected', writeAccess: true });
    }
  }
  for (const customer of PENDING_DEMO_CUSTOMERS) {
    entra.addTenant({ tenantId: customer.tenantId, domains: [customer.domain], displayName: customer.orgName });
    seedCustomer(customer, customer.domain);
    // The emulator forgets consents at exit; Entra would not. Restore one given in an earlier run.
    const known = deps.tenants.find(customer.tenantId);
    if (known && (known.status === 'connected' || known.status === 'needs-attention')) entra.grantConsent(customer.tenantId, SANDBOX_CLIENT_ID, GRANTED_ROLES);
  }
  world.follow(graph);
  const cadence = new AlertCadence({
    graph, world, clock: deps.clock, logger: deps.logger, intervalMs: deps.config.sandboxAlertIntervalMs,
    customers: [...DEMO_CUSTOMERS, ...PENDING_DEMO_CUSTOMERS],
  });
  cadence.start();
  deps.logger.info({ event: 'sandbox.started', entra: entra.authorityHost, graph: graph.baseUrl, customers: DEMO_CUSTOMERS.map((c) => c.handle), world: world.path }, 'sandbox emulators running');
  return {
    endpoints: { credentials: { kind: 'secret', clientId: SANDBOX_CLIENT_ID, secret }, authorityHost: entra.authorityHost, graphBaseUrl: graph.baseUrl },
    entra,
    graph,
    world,
    raiseAfterLink: (tenantId) => cadence.raiseAfterLink(tenantId),
    stop: async () => {
      cadence.stop();
      await Promise.all([entra.close(), graph.close()]);
      await world.flush();
    },
  };
}

/**
 * A fresh demo customer shows one merge, as Defender's correlation makes them: of its two newest
 * open incidents, the newer is redirected into the older, which takes its alerts.
 */
function mergeDemoIncidents(graph: GraphSecurityEmulator, tenantId: string): void {
  const open = graph.incidents(tenantId).filter((i) => i.status === 'active' || i.status === 'inProgress');
  const [newer, older] = open;
  if (newer && older) graph.mergeIncidents(tenantId, newer.id, older.id);
}

/**
 * The emulators serve HTTPS (the identity library refuses anything else) with a certificate that
 * `npm start` creates and tells Node to trust before it starts. Started any other way, say so.
 */
function readSandboxTls(config: AppConfig): TlsMaterial {
  const dir = sandboxTlsDir(config);
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath) || process.env.NODE_EXTRA_CA_CERTS !== certPath) {
    throw new StartupError(
      `Sandbox mode needs its loopback certificate (${certPath}) created and trusted before Node starts. Start SOC Bridge with "npm start", which does both, or set NODE_EXTRA_CA_CERTS=${certPath} after creating it with scripts/dev-certificate.mjs.`,
    );
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}
