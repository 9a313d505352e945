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

  it('groups each demo customer\'s alerts into incidents, some with several alerts and one merged into another', async () => {
    for (const customer of DEMO_CUSTOMERS) {
      const incidents = app.sandbox!.graph.incidents(customer.tenantId);
      expect(incidents.some((i) => i.alertIds.length > 1)).toBe(true);
      const merged = incidents.filter((i) => i.status === 'redirected');
      expect(merged).toHaveLength(1);
      expect(incidents.find((i) => i.id === merged[0]!.redirectIncidentId)?.alertIds.length).toBeGreaterThan(0);
    }
    const contoso = (await app.testing.tenant('contoso'))!;
    const listing = await app.services.incidents.list({ tenants: [contoso], filter: { statuses: [] }, top: 5, actor: { userId: undefined, displayName: 'Test', role: 'viewer', bootstrap: false } });
    expect(listing.failures).toEqual([]);
    expect(listing.items).toHaveLength(5);
  });

  it('keeps incidents and every change made to them across a restart', async () => {
    const restartDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-'));
    const config = parseConfig({ PORT: '0', DATA_DIR: restartDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '0' });
    const contoso = DEMO_CUSTOMERS[0]!;
    let first = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
    try {
      const incident = first.sandbox!.graph.incidents(contoso.tenantId).find((i) => i.status === 'active')!;
      first.sandbox!.graph.mutateIncident(contoso.tenantId, incident.id, { customTags: ['Kept'], assignedTo: 'megan@mssp.example' });
      const before = first.sandbox!.graph.incidents(contoso.tenantId);
      await first.stop();
      first = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
      expect(first.sandbox!.graph.incidents(contoso.tenantId)).toEqual(before);
    } finally {
      await first.stop();
      rmSync(restartDir, { recursive: true, force: true });
    }
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
      const startedAt = Date.now() - 60_000;
      await eventually(
        () => DEMO_CUSTOMERS.some((customer) => busy.sandbox!.graph.incidents(customer.tenantId).some((i) => Date.parse(String(i.createdDateTime)) >= startedAt - 120_000 && i.alertIds.length > 1)),
        'an incident of the run that grew by a later alert',
      );
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
