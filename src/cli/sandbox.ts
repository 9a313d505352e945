import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../clock.js';
import { PLAYGROUND_USER_OBJECT_ID, sandboxTlsDir } from '../config.js';
import { isSocBridgeError } from '../errors.js';
import { createLogger } from '../log.js';
import { loadCliConfig } from './cli-config.js';
import { startSandbox } from '../sandbox/sandbox.js';
import { SANDBOX_CLIENT_ID } from '../sandbox/demo-tenants.js';
import { openStorage } from '../store/open-storage.js';
import { TenantRegistry } from '../tenants/tenant-registry.js';

/** Where the emulators listen, so instances started earlier keep finding them after a restart of the sandbox. */
const ENTRA_PORT = Number(process.env.SANDBOX_ENTRA_PORT || 4710);
const GRAPH_PORT = Number(process.env.SANDBOX_GRAPH_PORT || 4711);
/** The ports instances are expected on: their consent callbacks are registered with the emulated Entra. */
const INSTANCE_PORTS = Array.from({ length: 10 }, (_, i) => 3978 + i);
export const INSTANCES_ENV_FILE = 'sandbox-instances.env';

/**
 * `npm run sandbox`: the sandbox's emulated Entra ID and Graph security (the demo customers and
 * their alerts) as a process of their own, for several SOC Bridge instances on one PostgreSQL
 * database to share. It puts the demo customers in the database and writes the settings every
 * instance needs to DATA_DIR/sandbox-instances.env (`npm run instance` reads it).
 */
async function main(): Promise<number> {
  const config = loadCliConfig();
  if (!config) return 2;
  if (config.database.kind !== 'postgres') {
    process.stderr.write('DATABASE_URL is not set: the shared sandbox is for several instances on one PostgreSQL database (`npm run postgres` starts one). A single instance needs none of this: `npm start` runs its own sandbox.\n');
    return 2;
  }
  if (config.mode !== 'sandbox') {
    process.stderr.write('DEFENDER_CLIENT_ID is set: the shared sandbox emulates Microsoft for instances without Defender credentials. Unset it to run the sandbox.\n');
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  const tlsDir = sandboxTlsDir(config);
  const certPath = join(tlsDir, 'cert.pem');
  const tls = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(join(tlsDir, 'key.pem'), 'utf8') };
  const storage = await openStorage(config, { logger, clock: systemClock });
  const tenants = new TenantRegistry({ storage, clock: systemClock, logger });
  await storage.refresh();
  const secret = randomBytes(24).toString('base64url');
  const redirectUris = INSTANCE_PORTS.flatMap((port) => [`http://localhost:${port}/auth/consent/callback`, `http://127.0.0.1:${port}/auth/consent/callback`]);
  const sandbox = await startSandbox({ config, tenants, clock: systemClock, logger, tls, ports: { entra: ENTRA_PORT, graph: GRAPH_PORT }, redirectUris, secret });
  const envFile = join(config.dataDir, INSTANCES_ENV_FILE);
  const lines = [
    '# Written by `npm run sandbox` at each start: the settings every instance shares. `npm run instance` reads this file.',
    `DATABASE_URL=${config.database.url}`,
    ...(config.database.tls === 'disable' ? [] : [`DATABASE_SSL=${config.database.tls}`]),
    `DEFENDER_CLIENT_ID=${SANDBOX_CLIENT_ID}`,
    `DEFENDER_CLIENT_SECRET=${secret}`,
    `ENTRA_AUTHORITY_HOST=${sandbox.endpoints.authorityHost}`,
    `GRAPH_BASE_URL=${sandbox.endpoints.graphBaseUrl}`,
    `CONSENT_STATE_SECRET=${randomBytes(36).toString('base64url')}`,
    `SOC_ADMIN_IDS=${PLAYGROUND_USER_OBJECT_ID}`,
    `NODE_EXTRA_CA_CERTS=${certPath}`,
  ];
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  process.stdout.write(
    `The shared sandbox is running (Entra ${sandbox.endpoints.authorityHost}, Graph ${sandbox.endpoints.graphBaseUrl}).\nStart instances in other terminals, each on its own port:\n  PORT=3978 npm run instance\n  PORT=3979 npm run instance\nCtrl+C stops the sandbox.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.stop();
  await storage.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`The shared sandbox could not start: ${isSocBridgeError(error) ? error.userMessage : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
