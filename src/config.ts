import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod/v4';
import { ConfigError, type ConfigProblem } from './errors.js';
import { resolveWebhooks, type WebhookEndpoint } from './delivery/targets/webhook/webhook-config.js';
import { resolveEmail, type EmailConfig } from './email/email-config.js';
import { GUID_PATTERN as GUID } from './text/ids.js';
import { resolveOperator, type Operator } from './site/operator.js';
import { DATABASE_TLS_MODES, resolveDatabase, type DatabaseConfig } from './store/postgres/database-config.js';
import { METRICS_TOKEN_PATTERN, resolveMetrics, type MetricsConfig } from './metrics/metrics-config.js';

/**
 * The Entra object id the bundled Agents Playground configuration gives its signed-in user
 * (`.m365agentsplayground.yml`). In sandbox mode it is the bootstrap admin unless SOC_ADMIN_IDS says
 * otherwise, so `help` in the Playground shows every command.
 */
export const PLAYGROUND_USER_OBJECT_ID = '6f1c3f0e-5a2b-4c1d-9e8f-000000000020';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());
const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL, ${what}` }).transform((u) => u.replace(/\/+$/, ''));
const httpsUrl = (what: string) =>
  z.url({ protocol: /^https$/, error: `must be an https URL, ${what}` }).transform((u) => u.replace(/\/+$/, ''));
const guid = (what: string) => z.string().trim().regex(GUID, `must be a GUID, ${what}`);

const DURATION = /^(\d{1,6})(ms|s|m|h|d)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** A duration such as `30s`, `2m` or `1h` (a bare number means seconds), in milliseconds. */
const duration = (what: string, fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      // abort: a value that is no duration must not reach the transform or the range checks piped after it.
      .regex(DURATION, { error: `must be a duration such as 30s, 2m or 1h, ${what}`, abort: true })
      .default(fallback)
      .transform((text) => {
        const [, amount, unit] = DURATION.exec(text) ?? [];
        return Number(amount) * (UNIT_MS[unit ?? 's'] ?? 1000);
      }),
  );

/** A TCP port (0 = any free one); `expected` is said of any other value. */
const portNumber = (expected: string) => z.coerce.number({ error: expected }).int(expected).min(0, expected).max(65535, expected);
const GLOBAL_RATE_EXPECTED = 'must be a whole number of requests per second between 1 and 50 (Teams allows 30 or 50 per app per tenant, depending on the version of its documentation)';

/** Each variable, what it must be, and its default. The README's configuration table mirrors this. */
const EnvSchema = z.object({
  PORT: z.preprocess(blankToUndefined, portNumber('must be a whole number between 0 and 65535').default(3978)),
  HOST: optionalText,
  PUBLIC_BASE_URL: z.preprocess(blankToUndefined, httpUrl('e.g. https://socbridge.example.com').optional()),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  BOT_ID: z.preprocess(blankToUndefined, guid('the Microsoft App ID of the bot registration').optional()),
  BOT_PASSWORD: optionalText,
  BOT_TYPE: z.preprocess(
    blankToUndefined,
    z
      .enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI'], {
        error: 'must be SingleTenant, MultiTenant or UserAssignedMSI',
      })
      .optional(),
  ),
  BOT_TENANT_ID: z.preprocess(blankToUndefined, guid('the Entra tenant id of the bot registration').optional()),
  BOT_OPENID_METADATA_URL: z.preprocess(blankToUndefined, httpsUrl('the OpenID metadata of the Bot Framework token issuer').optional()),
  SOC_ADMIN_IDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((text) => text.split(',').map((id) => id.trim()).filter((id) => id !== ''))
      .pipe(z.array(guid('a comma-separated list of Entra object ids (GUIDs)')))
      .optional(),
  ),
  DEFENDER_CLIENT_ID: z.preprocess(blankToUndefined, guid('the application (client) id of the multi-tenant Defender app').optional()),
  DEFENDER_CLIENT_SECRET: optionalText,
  DEFENDER_CERTIFICATE_PATH: optionalText,
  ENTRA_AUTHORITY_HOST: z.preprocess(blankToUndefined, httpsUrl('e.g. https://login.microsoftonline.com').default('https://login.microsoftonline.com')),
  SANDBOX_ALERT_INTERVAL: duration('or 0 to raise no new sandbox alerts', '10m'),
  GRAPH_BASE_URL: z.preprocess(blankToUndefined, httpsUrl('e.g. https://graph.microsoft.com').default('https://graph.microsoft.com')),
  CONSENT_STATE_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(32, 'must be at least 32 characters of random text, e.g. the output of "openssl rand -base64 48"').optional(),
  ),
  CONSENT_LINK_TTL: duration('how long a consent link works, e.g. 72h', '72h').pipe(
    z.number().min(300_000, 'must be at least 5m').max(720 * 3_600_000, 'must be at most 720h (30 days)'),
  ),
  SMTP_URL: z.preprocess(
    blankToUndefined,
    z
      .url({
        protocol: /^smtps?$/,
        error: 'must be an SMTP URL: smtp://user:password@host:587 (STARTTLS when offered) or smtps://user:password@host:465 (TLS), with special characters in the user or password URL-encoded',
      })
      .optional(),
  ),
  MAIL_FROM: optionalText,
  POLL_INTERVAL: duration('how often each customer tenant is polled for new and changed alerts, or 0 not to poll', '30s').pipe(
    z.number().refine((ms) => ms === 0 || (ms >= 100 && ms <= 3_600_000), 'must be 0 (do not poll) or between 100ms and 1h'),
  ),
  POLL_OVERLAP: duration('how far each poll reaches back before the previous one, for alerts that reach Graph late', '2m').pipe(
    z.number().max(3_600_000, 'must be at most 1h'),
  ),
  STORM_THRESHOLD: duration('the longest a channel backlog may take to post card by card before its alerts go out as digest cards, or 0 never to post digests', '60s').pipe(
    z.number().max(3_600_000, 'must be at most 1h'),
  ),
  RETENTION: duration('how long delivery records and alert snapshots are kept, e.g. 30d', '30d').pipe(
    z.number().min(3_600_000, 'must be at least 1h').max(3650 * 86_400_000, 'must be at most 3650d'),
  ),
  // Versions of Teams' rate-limit page disagree on the limit per app per tenant (30 or 50 requests
  // a second, "subject to change"), so the default is based on the conservative 30: 24 a second for
  // alert delivery, leaving 6 for command replies and card actions (their share, REPLY_WINDOWS in
  // src/delivery/pacing.ts, counted apart).
  // Up to 50 may be set by whoever trusts the newer page.
  TEAMS_GLOBAL_RATE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: GLOBAL_RATE_EXPECTED })
      .int(GLOBAL_RATE_EXPECTED)
      .min(1, GLOBAL_RATE_EXPECTED)
      .max(50, GLOBAL_RATE_EXPECTED)
      .default(24),
  ),
  // With DATABASE_URL, one instance at a time runs delivery under this lease; when it dies another
  // takes over within this time (plus a quarter of it, the beat at which instances try to take it).
  DELIVERY_LEASE: duration('how long the delivery lease of an instance lasts unless renewed, e.g. 20s', '20s').pipe(
    z.number().min(1000, 'must be at least 1s').max(600_000, 'must be at most 10m'),
  ),
  OPERATOR_NAME: optionalText,
  OPERATOR_CONTACT: optionalText,
  DATABASE_URL: optionalText,
  DATABASE_SSL: z.preprocess(
    blankToUndefined,
    z.enum(DATABASE_TLS_MODES, {
      error: 'must be disable, require or verify-full (TLS with the certificate and host name checked, for Azure Database for PostgreSQL)',
    }).optional(),
  ),
  DATABASE_SSL_CA: optionalText,
  DATABASE_POOL_SIZE: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of connections between 1 and 100' })
      .int('must be a whole number of connections between 1 and 100')
      .min(1, 'must be a whole number of connections between 1 and 100')
      .max(100, 'must be a whole number of connections between 1 and 100')
      .optional(),
  ),
  METRICS_TOKEN: z.preprocess(
    blankToUndefined,
    z.string().regex(METRICS_TOKEN_PATTERN, 'must be at least 32 characters of random text without spaces (e.g. the output of "openssl rand -base64 48"): the bearer token a scraper sends for /metrics').optional(),
  ),
  METRICS_PORT: z.preprocess(blankToUndefined, portNumber('must be a whole number between 0 and 65535: the loopback port of the /metrics listener').optional()),
});

export type BotAuth =
  | { kind: 'keyless' }
  | { kind: 'SingleTenant' | 'MultiTenant'; appId: string; password: string; tenantId: string | undefined }
  | { kind: 'UserAssignedMSI'; appId: string; tenantId: string };

export type DefenderCredentials =
  | { kind: 'secret'; clientId: string; secret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string };

export interface AppConfig {
  mode: 'sandbox' | 'connected';
  port: number;
  host: string;
  publicBaseUrl: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  dataDir: string;
  bot: BotAuth;
  botOpenIdMetadataUrl: string | undefined;
  bootstrapAdminIds: readonly string[];
  /** Average time between two new alerts of one sandbox customer (0 = none, not even after `link`). */
  sandboxAlertIntervalMs: number;
  /** Proactive alert delivery: polling, storm mode, retention, and the share of Teams' global limit SOC Bridge uses. */
  delivery: { pollIntervalMs: number; pollOverlapMs: number; stormThresholdMs: number; retentionMs: number; teamsGlobalRate: number };
  /** Admin-consent links: the key that signs their state (none in sandbox mode: one is kept in DATA_DIR) and how long they work. */
  consent: { stateSecret: string | undefined; linkTtlMs: number };
  /** Alert email: SMTP, `.eml` files under DATA_DIR/mail (sandbox without SMTP), or none. */
  email: EmailConfig;
  /** Outbound webhook endpoints (`WEBHOOK_<NAME>_…`), named in rules as `webhook:<name>`. They hold secrets: never log them. */
  webhooks: readonly WebhookEndpoint[];
  /** The embedded store in DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
  database: DatabaseConfig;
  /** How long the delivery lease lasts unless renewed (PostgreSQL: the instance holding it runs delivery). */
  deliveryLeaseMs: number;
  /** The MSSP running this SOC Bridge, as its privacy and terms pages name it. */
  operator: Operator;
  /** Where `GET /metrics` is served (bearer token on PORT, a loopback listener, both, or neither). */
  metrics: MetricsConfig;
  defender:
    | { kind: 'sandbox' }
    | { kind: 'connected'; credentials: DefenderCredentials; authorityHost: string; graphBaseUrl: string };
}

/** Reads `.env` (if present) under the process environment: variables already set win. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}

/** Validates the environment into an AppConfig, or throws a ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, env)));
  }
  const vars = parsed.data;
  const problems: ConfigProblem[] = [];
  const bot = resolveBotAuth(vars, problems);
  const defender = resolveDefender(vars, cwd, problems);
  const host = vars.HOST ?? (bot.kind === 'keyless' ? '127.0.0.1' : '0.0.0.0');
  if (defender.kind === 'connected' && !vars.CONSENT_STATE_SECRET) {
    problems.push({
      variable: 'CONSENT_STATE_SECRET',
      expected: 'is required when DEFENDER_CLIENT_ID is set: at least 32 characters of random text that signs admin-consent links (e.g. the output of "openssl rand -base64 48"); keep it stable, or links already sent stop working',
    });
  }
  if (bot.kind === 'keyless' && !LOOPBACK_HOSTS.has(host)) {
    problems.push({
      variable: 'HOST',
      expected: `must be a loopback address (127.0.0.1, ::1 or localhost) while BOT_ID is empty, because requests are then not authenticated; set BOT_ID to listen on ${host}`,
    });
  }
  const mode = defender.kind === 'sandbox' ? 'sandbox' : 'connected';
  const dataDir = isAbsolute(vars.DATA_DIR) ? vars.DATA_DIR : resolve(cwd, vars.DATA_DIR);
  const email = resolveEmail(vars, mode, dataDir, problems);
  const webhooks = resolveWebhooks(env, mode, problems);
  const database = resolveDatabase(vars, cwd, problems);
  const operator = resolveOperator(vars, problems);
  const metrics = resolveMetrics(vars, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const admins = vars.SOC_ADMIN_IDS ?? (mode === 'sandbox' ? [PLAYGROUND_USER_OBJECT_ID] : []);
  return {
    mode,
    port: vars.PORT,
    host,
    publicBaseUrl: vars.PUBLIC_BASE_URL ?? `http://localhost:${vars.PORT}`,
    logLevel: vars.LOG_LEVEL,
    dataDir,
    bot,
    botOpenIdMetadataUrl: vars.BOT_OPENID_METADATA_URL,
    bootstrapAdminIds: admins.map((id) => id.toLowerCase()),
    sandboxAlertIntervalMs: vars.SANDBOX_ALERT_INTERVAL,
    delivery: {
      pollIntervalMs: vars.POLL_INTERVAL,
      pollOverlapMs: vars.POLL_OVERLAP,
      stormThresholdMs: vars.STORM_THRESHOLD,
      retentionMs: vars.RETENTION,
      teamsGlobalRate: vars.TEAMS_GLOBAL_RATE,
    },
    consent: { stateSecret: vars.CONSENT_STATE_SECRET, linkTtlMs: vars.CONSENT_LINK_TTL },
    email,
    webhooks,
    database,
    deliveryLeaseMs: vars.DELIVERY_LEASE,
    operator,
    metrics,
    defender,
  };
}

/** Reads and validates the configuration of this process. */
export function loadConfig(): AppConfig {
  return parseConfig(readEnvironment());
}

type EnvVars = z.infer<typeof EnvSchema>;

function resolveBotAuth(vars: EnvVars, problems: ConfigProblem[]): BotAuth {
  if (!vars.BOT_ID) {
    for (const name of ['BOT_PASSWORD', 'BOT_TYPE', 'BOT_TENANT_ID'] as const) {
      if (vars[name] !== undefined) problems.push({ variable: name, expected: 'is set but BOT_ID is empty; set BOT_ID too, or unset it' });
    }
    return { kind: 'keyless' };
  }
  const kind = vars.BOT_TYPE ?? 'SingleTenant';
  if (kind === 'UserAssignedMSI') {
    if (!vars.BOT_TENANT_ID) problems.push({ variable: 'BOT_TENANT_ID', expected: 'is required when BOT_TYPE is UserAssignedMSI' });
    return { kind, appId: vars.BOT_ID, tenantId: vars.BOT_TENANT_ID ?? '' };
  }
  if (!vars.BOT_PASSWORD) problems.push({ variable: 'BOT_PASSWORD', expected: `is required when BOT_ID is set and BOT_TYPE is ${kind} (the bot registration's client secret)` });
  if (kind === 'SingleTenant' && !vars.BOT_TENANT_ID) {
    problems.push({ variable: 'BOT_TENANT_ID', expected: 'is required when BOT_TYPE is SingleTenant (the default): the Entra tenant id of the bot registration' });
  }
  return { kind, appId: vars.BOT_ID, password: vars.BOT_PASSWORD ?? '', tenantId: vars.BOT_TENANT_ID };
}

function resolveDefender(vars: EnvVars, cwd: string, problems: ConfigProblem[]): AppConfig['defender'] {
  const clientId = vars.DEFENDER_CLIENT_ID;
  if (!clientId) {
    for (const name of ['DEFENDER_CLIENT_SECRET', 'DEFENDER_CERTIFICATE_PATH'] as const) {
      if (vars[name] !== undefined) problems.push({ variable: name, expected: 'is set but DEFENDER_CLIENT_ID is empty; set DEFENDER_CLIENT_ID too, or unset it for sandbox mode' });
    }
    return { kind: 'sandbox' };
  }
  const secret = vars.DEFENDER_CLIENT_SECRET;
  const certificate = vars.DEFENDER_CERTIFICATE_PATH;
  if (secret && certificate) {
    problems.push({ variable: 'DEFENDER_CERTIFICATE_PATH', expected: 'is set together with DEFENDER_CLIENT_SECRET; set exactly one of them' });
  }
  if (!secret && !certificate) {
    problems.push({ variable: 'DEFENDER_CLIENT_SECRET', expected: 'is required when DEFENDER_CLIENT_ID is set (or set DEFENDER_CERTIFICATE_PATH to a PEM with key and certificate)' });
  }
  let credentials: DefenderCredentials = { kind: 'secret', clientId, secret: secret ?? '' };
  if (certificate && !secret) {
    const certificatePath = resolve(cwd, certificate);
    if (!existsSync(certificatePath)) problems.push({ variable: 'DEFENDER_CERTIFICATE_PATH', expected: `must name a readable PEM file; ${certificatePath} does not exist` });
    credentials = { kind: 'certificate', clientId, certificatePath };
  }
  return { kind: 'connected', credentials, authorityHost: vars.ENTRA_AUTHORITY_HOST, graphBaseUrl: vars.GRAPH_BASE_URL };
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): ConfigProblem {
  const variable = String(issue.path[0] ?? 'environment');
  const raw = env[variable];
  const shown = raw === undefined || /SECRET|PASSWORD|TOKEN|SMTP_URL|DATABASE_URL/.test(variable) ? '' : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)})`;
  return { variable, expected: `${issue.message}${shown}` };
}

/** Where sandbox mode keeps the loopback certificate of its Entra and Graph emulators. */
export function sandboxTlsDir(config: Pick<AppConfig, 'dataDir'>): string {
  return resolve(config.dataDir, 'sandbox-tls');
}
