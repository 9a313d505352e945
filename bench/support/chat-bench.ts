/**
 * What the chat benchmarks (`alerts all`, `incidents all`) share: 50 connected customers in the
 * emulators of a child process, a bot in connected mode talking to them, and a Teams message
 * POSTed to /api/messages and timed until the reply card reached the Bot Connector emulator.
 */
import { performance } from 'node:perf_hooks';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { BotConnectorEmulator, type ConnectorCall } from '../../src/emulator/bot-connector.js';
import { silentLogger } from '../../src/log.js';
import type { BenchTenant, RemoteStats } from './protocol.js';
import type { RemoteServices } from './remote.js';
import { fmt, markdownTable, mean, percentile } from './report.js';

export const REQUEST_TIMEOUT_MS = 60_000;
export const APP = { clientId: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b', secret: 'bench-secret-value-not-a-real-one' } as const;
const USER = { id: '29:bench-analyst', name: 'Bench Analyst', aadObjectId: '0000000b-aaaa-4bbb-8ccc-00000000000b', email: 'bench@mssp.example' } as const;
const BOT = { id: '28:soc-bridge-bot', name: 'SOC Bridge' } as const;
const TEAMS_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** One measured message. */
export interface Sample {
  readonly latencyMs: number;
  readonly graphRequests: number;
  readonly tokenRequests: number;
  readonly discoveryRequests: number;
  readonly botCpuMs: number;
  readonly remoteCpuMs: number;
  readonly shown: number;
}

/** Customer 1 is Contoso (the single-tenant baseline); the rest are numbered. */
export function benchTenants(count: number, alertsPerTenant: number): BenchTenant[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const handle = i === 0 ? 'contoso' : `customer${n}`;
    return {
      tenantId: `b0000000-0000-4000-8000-0000000000${n}`,
      domain: `${handle}.onmicrosoft.com`,
      orgName: i === 0 ? 'Contoso Ltd' : `Customer ${n} Ltd`,
      handle,
      alerts: alertsPerTenant,
    };
  });
}

/** The bot under measurement, with the analyst who types and the emulators' counters. */
export class BenchBot {
  private sequence = 0;

  constructor(
    readonly app: RunningApp,
    readonly connector: BotConnectorEmulator,
    private readonly remote: RemoteServices,
    /** Problems seen while measuring: any of them makes the figures suspect. */
    readonly problems: string[],
    /** The word a list reply's summary must hold ("alert", "incident"). */
    private readonly listWord: string,
  ) {}

  /** Sends `text` as the analyst in a personal chat and measures it, Graph and Entra counters included. */
  async measure(text: string): Promise<Sample> {
    const before = await this.remote.stats();
    const callsBefore = this.connector.calls.length;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const status = await this.post(text);
    const latencyMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await this.remote.stats();
    const reply = this.replyAfter(callsBefore);
    this.check(text, status, reply, before, after);
    return {
      latencyMs,
      graphRequests: after.graphRequests - before.graphRequests,
      tokenRequests: after.tokenRequests - before.tokenRequests,
      discoveryRequests: after.discoveryRequests - before.discoveryRequests,
      botCpuMs: (cpu.user + cpu.system) / 1000,
      remoteCpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
      shown: alertsOnCard(reply?.body),
    };
  }

  /**
   * POSTs the activity and reads the answer. The bot answers /api/messages only after the Bot
   * Connector acknowledged the reply card, so this time covers "until the reply reached Teams".
   */
  private async post(text: string): Promise<number> {
    return (await this.postActivity(this.activity(text))).status;
  }

  /** Sends `text` unmeasured; the HTTP status. */
  async say(text: string): Promise<number> {
    return this.post(text);
  }

  /**
   * The analyst clicks an Action.Execute button on the card in message `replyToId`; the HTTP
   * status and the invoke response's body (the card that replaces the clicked one).
   */
  async execute(verb: string, data: Record<string, unknown>, replyToId: string): Promise<{ status: number; body: unknown }> {
    const invoke: Record<string, unknown> = { ...this.activity(''), type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb, data } } };
    for (const messageOnly of ['text', 'textFormat', 'entities']) delete invoke[messageOnly];
    return this.postActivity(invoke);
  }

  private async postActivity(activity: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body };
  }

  private activity(text: string): Record<string, unknown> {
    return {
      type: 'message',
      id: `bench-activity-${++this.sequence}`,
      channelId: 'msteams',
      serviceUrl: this.connector.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId },
      recipient: BOT,
      conversation: { id: 'a:bench-personal-chat', conversationType: 'personal', tenantId: TEAMS_TENANT_ID },
      channelData: { tenant: { id: TEAMS_TENANT_ID } },
      text,
      textFormat: 'plain',
      entities: [],
    };
  }

  private replyAfter(index: number): ConnectorCall | undefined {
    // A reply to the user's message is POSTed to /v3/conversations/{id}/activities/{replyToId}.
    return this.connector.calls.slice(index).find((c) => c.method === 'POST' && c.path.includes('/activities') && c.body?.type === 'message');
  }

  private check(text: string, status: number, reply: ConnectorCall | undefined, before: RemoteStats, after: RemoteStats): void {
    const note = (problem: string) => {
      if (this.problems.length < 20) this.problems.push(`${text}: ${problem}`);
    };
    if (status !== 200) note(`HTTP ${status} from /api/messages`);
    if (!reply) return note('no reply reached the Bot Connector before the HTTP answer');
    const summary = typeof reply.body?.summary === 'string' ? reply.body.summary : '';
    // A list's summary reads "N alerts" (or incidents), plus ", K customer(s) unavailable" when a tenant failed.
    if (text.startsWith(this.listWord) && (summary.includes('unavailable') || !summary.includes(this.listWord))) note(`unexpected reply "${summary || JSON.stringify(reply.body).slice(0, 160)}"`);
    if (after.graphThrottled > before.graphThrottled) note(`${after.graphThrottled - before.graphThrottled} request(s) throttled by Graph (429)`);
    const non200 = Object.entries(after.graphNon200).filter(([code, n]) => n > (before.graphNon200[code] ?? 0));
    if (non200.length > 0) note(`Graph answered ${non200.map(([code]) => code).join(', ')}`);
  }
}

/** Rows listed on the reply's Adaptive Card (each opens its alert or incident). */
function alertsOnCard(activity: Record<string, unknown> | undefined): number {
  const attachments = activity?.attachments as { content?: { body?: { selectAction?: unknown }[] } }[] | undefined;
  return attachments?.[0]?.content?.body?.filter((element) => element.selectAction !== undefined).length ?? 0;
}

/** Starts the bot in connected mode against the remote emulators, with every tenant connected (read only unless `writeAccess`). */
export async function startBot(
  remote: RemoteServices,
  endpoints: { authorityHost: string; graphBaseUrl: string },
  tenants: readonly BenchTenant[],
  dataDir: string,
  listWord: string,
  problems: string[],
  options: { writeAccess?: boolean; env?: Record<string, string> } = {},
): Promise<BenchBot> {
  const connector = await BotConnectorEmulator.start();
  connector.addMember({ id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId, email: USER.email, userPrincipalName: USER.email });
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SOC_ADMIN_IDS: USER.aadObjectId,
    DEFENDER_CLIENT_ID: APP.clientId,
    DEFENDER_CLIENT_SECRET: APP.secret,
    CONSENT_STATE_SECRET: 'bench-consent-state-secret-not-a-real-one-0123456789',
    ENTRA_AUTHORITY_HOST: endpoints.authorityHost,
    GRAPH_BASE_URL: endpoints.graphBaseUrl,
    ...options.env,
  });
  const app = await startApp(config, { logger: silentLogger });
  for (const tenant of tenants) {
    await app.services.tenants.add({ handle: tenant.handle, displayName: tenant.orgName, tenantId: tenant.tenantId, domain: tenant.domain, status: 'connected', writeAccess: options.writeAccess ?? false });
  }
  return new BenchBot(app, connector, remote, problems, listWord);
}

export interface Row {
  readonly label: string;
  readonly samples: readonly Sample[];
}

export interface Measured {
  readonly rows: Row[];
  readonly cold: Sample;
  /** The first scenario right after the cold one (untimed round): the first that should find every token cached. */
  readonly second: Sample;
}

/** The figures of every scenario as a Markdown table; `shownLabel` names the last column ("alerts shown"). */
export function tableOf(rows: readonly Row[], shownLabel: string): string {
  const header = ['scenario', 'runs', 'p50 ms', 'p95 ms', 'max ms', 'Graph req/run', 'Entra req/run', 'bot CPU ms/run', 'emulator CPU ms/run', shownLabel];
  return markdownTable(
    header,
    rows.map(({ label, samples }) => {
      const latency = samples.map((s) => s.latencyMs);
      const single = samples.length === 1;
      return [
        label,
        String(samples.length),
        fmt(percentile(latency, 50), 1),
        single ? '–' : fmt(percentile(latency, 95), 1),
        single ? '–' : fmt(Math.max(...latency), 1),
        fmt(mean(samples.map((s) => s.graphRequests)), 1),
        fmt(mean(samples.map((s) => s.tokenRequests + s.discoveryRequests)), 1),
        fmt(mean(samples.map((s) => s.botCpuMs)), 1),
        fmt(mean(samples.map((s) => s.remoteCpuMs)), 1),
        fmt(mean(samples.map((s) => s.shown)), 0),
      ];
    }),
  );
}

/**
 * The cold run, then rounds of every scenario in turn. Interleaving matters: measured one scenario
 * after another, whichever came first paid for the process still warming up (p50s drifted ~2×).
 */
export async function measureAll(bot: BenchBot, plan: { scenarios: readonly string[]; baseline: string; warmupRounds: number; rounds: number }): Promise<Measured> {
  const { scenarios, baseline } = plan;
  await bot.measure('help');
  const cold = await bot.measure(scenarios[0]!);
  const texts = [...scenarios, baseline];
  const samples = new Map<string, Sample[]>(texts.map((t) => [t, []]));
  let second: Sample | undefined;
  for (let round = 0; round < plan.warmupRounds + plan.rounds; round++) {
    for (const text of texts) {
      const sample = await bot.measure(text);
      if (round === 0 && text === scenarios[0]!) second = sample;
      if (round >= plan.warmupRounds) samples.get(text)?.push(sample);
    }
  }
  const rows: Row[] = [{ label: `${scenarios[0]!} (cold)`, samples: [cold] }];
  for (const text of scenarios) rows.push({ label: text === scenarios[0]! ? `${text} (warm)` : text, samples: samples.get(text) ?? [] });
  rows.push({ label: `${baseline} (1 tenant, warm)`, samples: samples.get(baseline) ?? [] });
  return { rows, cold, second: second ?? cold };
}

