import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { systemClock } from '../../src/clock.js';
import type { Alert } from '../../src/defender/alert.js';
import { generateBacklog, generateNewAlert } from '../../src/emulator/demo-data.js';
import { createLogger } from '../../src/log.js';
import { SANDBOX_WORLD_FILE, SandboxWorld, alertsBeyondCap } from '../../src/sandbox/sandbox-world.js';
import { DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';

const CONTOSO = DEMO_CUSTOMERS[0]!;
let dataDir: string;
let logged: Record<string, unknown>[];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    done();
  },
});
const logger = createLogger({ level: 'warn', destination });

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-world-'));
  logged = [];
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A stand-in for the Graph emulator: the alerts the world saves. */
function sourceOf(byTenant: Record<string, Alert[]>) {
  return { alerts: (tenantId: string) => structuredClone(byTenant[tenantId] ?? []), incidentRecords: () => [] };
}

describe('the sandbox world', () => {
  it('starts empty, and after a save reopens with the same alerts, changes and counts', async () => {
    const world = await SandboxWorld.open(dataDir, { logger, clock: systemClock });
    expect(world.tenant(CONTOSO.tenantId)).toBeUndefined();
    const alerts = generateBacklog(CONTOSO, 5, new Date(), 'contoso');
    alerts[0] = { ...alerts[0]!, status: 'resolved', assignedTo: 'alex@mssp.example', comments: [{ comment: 'Done', createdByDisplayName: 'Alex', createdDateTime: new Date().toISOString() }] };
    world.follow(sourceOf({ [CONTOSO.tenantId]: alerts }));
    expect(world.nextRaised(CONTOSO.tenantId)).toBe(1);
    expect(world.nextRaised(CONTOSO.tenantId)).toBe(2);
    await world.flush();

    const again = await SandboxWorld.open(dataDir, { logger, clock: systemClock });
    expect(again.seed).toBe(world.seed);
    expect(again.tenant(CONTOSO.tenantId)?.alerts).toEqual(alerts);
    expect(again.tenant(CONTOSO.tenantId)?.raised).toBe(2);
    expect(again.nextRaised(CONTOSO.tenantId)).toBe(3);
  });

  it('saves a moment after a change, without being asked', async () => {
    const world = await SandboxWorld.open(dataDir, { logger, clock: systemClock });
    const alerts: Alert[] = [];
    world.follow(sourceOf({ [CONTOSO.tenantId]: alerts }));
    alerts.push(generateNewAlert(CONTOSO, new Date(), 'one'));
    world.changed(CONTOSO.tenantId);
    const path = join(dataDir, SANDBOX_WORLD_FILE);
    const deadline = Date.now() + 5000;
    while (!existsSync(path) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { tenants: Record<string, { alerts: Alert[] }> };
    expect(saved.tenants[CONTOSO.tenantId]?.alerts.map((a) => a.id)).toEqual([alerts[0]!.id]);
  });

  it('moves an unreadable file aside, says so, and starts a new world', async () => {
    writeFileSync(join(dataDir, SANDBOX_WORLD_FILE), '{"version":1,"seed":"x","tenants":{"t":{"raised":-1,"alerts":[]}}}');
    const world = await SandboxWorld.open(dataDir, { logger, clock: systemClock });
    expect(world.tenant('t')).toBeUndefined();
    expect(readdirSync(dataDir).filter((f) => f.startsWith(`${SANDBOX_WORLD_FILE}.unreadable-`))).toHaveLength(1);
    expect(logged).toEqual([expect.objectContaining({ event: 'sandbox.world_replaced', problem: expect.stringContaining('tenants.t.raised') })]);
  });
});

describe('the alert cap', () => {
  it('drops the oldest resolved alerts first, then the oldest open ones', () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 0, minutes)).toISOString();
    const base = generateNewAlert(CONTOSO, new Date(), 'cap');
    const alert = (id: string, minutes: number, status: string): Alert => ({ ...base, id, createdDateTime: at(minutes), status });
    const alerts = [alert('open-old', 1, 'new'), alert('resolved-new', 5, 'resolved'), alert('resolved-old', 2, 'resolved'), alert('open-new', 9, 'inProgress')];
    expect(alertsBeyondCap(alerts, 4)).toEqual([]);
    expect(alertsBeyondCap(alerts, 2)).toEqual(['resolved-old', 'resolved-new']);
    expect(alertsBeyondCap(alerts, 1)).toEqual(['resolved-old', 'resolved-new', 'open-old']);
  });
});
