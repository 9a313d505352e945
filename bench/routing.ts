/**
 * Routing micro-benchmark: how long `AlertRouter.route` takes per alert with many tenants, links
 * and rules, and how long the first alert after a rule change waits for the index rebuild.
 * In-process, no HTTP: routing runs inside the poller for every new alert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config.js';
import { ConversationRegistry } from '../src/conversations/conversation-registry.js';
import { TargetRegistry } from '../src/delivery/targets/registry.js';
import type { Alert } from '../src/defender/alert.js';
import { generateNewAlert } from '../src/emulator/demo-data.js';
import { silentLogger } from '../src/log.js';
import type { Actor } from '../src/roles/actor.js';
import { ChannelLinks } from '../src/routing/channel-links.js';
import { RuleRouter } from '../src/routing/router.js';
import { RuleService } from '../src/routing/rule-service.js';
import { parseRuleAdd } from '../src/routing/rule-syntax.js';
import { systemClock } from '../src/clock.js';
import { EmbeddedStorage } from '../src/store/embedded/embedded-storage.js';
import type { TenantRecord } from '../src/tenants/tenant-schema.js';
import { TenantRegistry } from '../src/tenants/tenant-registry.js';
import { fmt, machineDescription, markdownTable, percentile, updateBenchmarksFile } from './support/report.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TENANTS = 500;
const CHANNELS_PER_TENANT = 2;
const SHARED_CHANNELS = 20;
const RULES = 60;
const ALERTS = 20_000;
const BATCH = 500;
const ADMIN: Actor = { userId: 'bench', displayName: 'Bench', role: 'admin', bootstrap: true };

const guid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-routing-'));
  const storage = await EmbeddedStorage.open(dir);
  try {
    const deps = { storage, clock: systemClock, logger: silentLogger };
    const tenants = new TenantRegistry(deps);
    const conversations = new ConversationRegistry(deps);
    const links = new ChannelLinks({ ...deps, conversations });
    const targetKinds = TargetRegistry.build({ config: parseConfig({ DATA_DIR: dir }, dir), clock: systemClock, logger: silentLogger, ruleName: () => undefined });
    const rules = new RuleService({ ...deps, tenants, links, conversations, targets: targetKinds, people: { holderOf: () => undefined } });
    const router = new RuleRouter({ rules: rules.records, links: links.records, conversations, targets: targetKinds });

    const records: TenantRecord[] = [];
    for (let t = 0; t < TENANTS; t++) records.push(await tenants.add({ handle: `c${t}`, displayName: `Customer ${t}`, tenantId: guid(t + 1), domain: `c${t}.example`, status: 'connected', writeAccess: true }));
    const channel = async (id: string) => (await conversations.recordInstall({ id, kind: 'channel', serviceUrl: 'https://smba.example/', channelId: 'msteams', botId: '28:bench', teamName: 'SOC', channelName: id })).record;
    const shared = await Promise.all(Array.from({ length: SHARED_CHANNELS }, (_, i) => channel(`19:shared-${i}@thread.tacv2`)));
    for (const [t, tenant] of records.entries()) {
      for (let c = 0; c < CHANNELS_PER_TENANT; c++) await links.link(await channel(`19:c${t}-${c}@thread.tacv2`), tenant, ADMIN);
      await links.link(shared[t % SHARED_CHANNELS]!, tenant, ADMIN);
    }
    const severities = ['high', 'medium+', 'any', 'low+'];
    const groups = ['Servers', 'Workstations', '"Finance laptops"', 'any'];
    for (let r = 0; r < RULES; r++) {
      const scope = r % 3 === 0 ? 'tenants:all' : r % 3 === 1 ? `tenants:${Array.from({ length: 20 }, (_, i) => `c${(r * 7 + i) % TENANTS}`).join(',')}` : `except:c${r % TENANTS}`;
      const text = `rule-${r} ${scope} severity:${severities[r % 4]} groups:${groups[r % 4]} ${r % 5 === 0 ? 'title:credential' : ''} to:channels,"19:shared-${r % SHARED_CHANNELS}@thread.tacv2",soc-${r % 10}@mssp.example`;
      const { ruleName, input } = parseRuleAdd(text.split(/\s+/).filter(Boolean));
      await rules.add(ruleName, input, { actor: ADMIN, place: { conversationId: 'a:bench', kind: 'personal' } });
    }

    const now = new Date();
    const work: { tenant: TenantRecord; alert: Alert }[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const tenant = records[i % TENANTS]!;
      work.push({ tenant, alert: generateNewAlert({ tenantId: tenant.tenantId, domain: tenant.domain, orgName: tenant.displayName }, now, i) });
    }

    const rebuildStart = performance.now();
    router.route(work[0]!.tenant, work[0]!.alert);
    const rebuildMs = performance.now() - rebuildStart;

    for (const { tenant, alert } of work.slice(0, 2000)) router.route(tenant, alert);
    const perAlertUs: number[] = [];
    let targets = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < work.length; i += BATCH) {
      const batchStart = performance.now();
      for (const { tenant, alert } of work.slice(i, i + BATCH)) targets += router.route(tenant, alert).length;
      perAlertUs.push(((performance.now() - batchStart) * 1000) / BATCH);
    }
    const totalMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);

    const rows = [
      ['Alerts routed', String(ALERTS)],
      ['Tenants / links / rules', `${TENANTS} / ${TENANTS * (CHANNELS_PER_TENANT + 1)} / ${RULES}`],
      ['Targets returned (mean per alert)', fmt(targets / ALERTS, 1)],
      ['Throughput (alerts/s)', fmt((ALERTS / totalMs) * 1000)],
      ['Time per alert, mean of batches (µs)', fmt((totalMs * 1000) / ALERTS, 1)],
      [`Time per alert, p95 of ${BATCH}-alert batches (µs)`, fmt(percentile(perAlertUs, 95), 1)],
      ['CPU (user+system) for all alerts (ms)', fmt((cpu.user + cpu.system) / 1000)],
      ['Index rebuild after a rule change (ms)', fmt(rebuildMs, 1)],
    ];
    const body = [
      '## Routing (`bench/routing.ts`)',
      '',
      `\`AlertRouter.route\` in process, ${RULES} rules (tenant lists and exclusions, severities, device groups, title text) over ${TENANTS} tenants. Machine: ${machineDescription()}.`,
      '',
      markdownTable(['Measure', 'Value'], rows),
    ].join('\n');
    console.log(body);
    updateBenchmarksFile(PROJECT_ROOT, 'routing', body);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
