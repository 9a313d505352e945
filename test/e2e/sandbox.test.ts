import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig, PLAYGROUND_USER_OBJECT_ID } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';
import { testTls } from '../helpers/tls.js';
import { eventually } from '../helpers/eventually.js';

let app: RunningApp;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-'));
  const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '0' });
  app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
});
afterAll(async () => {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sandbox mode', () => {
  it('serves three demo customers, connected, with a backlog of alerts', async () => {
    const tenants = await app.testing.tenants();
    expect(tenants.map((t) => [t.handle, t.status]).sort()).toEqual([['contoso', 'connected'], ['fabrikam', 'connected'], ['northwind', 'connected']]);
    for (const customer of DEMO_CUSTOMERS) expect(app.sandbox?.graph.alerts(customer.tenantId)).toHaveLength(customer.backlog);
  });

  it('reads alerts through the real token and Graph path', async () => {
    const contoso = (await app.testing.tenant('contoso'))!;
    const listing = await app.services.alerts.list({ tenants: [contoso], filter: { statuses: [] }, top: 5 });
    expect(listing.failures).toEqual([]);
    expect(listing.items).toHaveLength(5);
    expect(app.sandbox?.entra.tokenRequests(contoso.tenantId)).toBe(1);
  });

  it('makes the Playground user the bootstrap admin', async () => {
    expect(await app.testing.roleOf(PLAYGROUND_USER_OBJECT_ID)).toMatchObject({ role: 'admin', bootstrap: true });
  });

  it('raises new alerts on every customer\'s own schedule when asked to', async () => {
    const busyDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-'));
    const config = parseConfig({ PORT: '0', DATA_DIR: busyDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '50ms' });
    const busy = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
    try {
      await eventually(() => DEMO_CUSTOMERS.every((customer) => busy.sandbox!.graph.alerts(customer.tenantId).length > customer.backlog), 'a new alert from every demo customer');
    } finally {
      await busy.stop();
      rmSync(busyDir, { recursive: true, force: true });
    }
    for (const customer of DEMO_CUSTOMERS) expect(busy.sandbox!.graph.alerts(customer.tenantId).length).toBeGreaterThan(customer.backlog);
  });

  it('raises none when SANDBOX_ALERT_INTERVAL is 0, not even after a link', async () => {
    const contoso = DEMO_CUSTOMERS[0]!;
    await expect(app.sandbox!.raiseAfterLink(contoso.tenantId)).resolves.toBeUndefined();
    expect(app.sandbox!.graph.alerts(contoso.tenantId)).toHaveLength(contoso.backlog);
  });
});
