import { z } from 'zod/v4';
import type { ConfigProblem } from '../../../errors.js';

/** The body formats an endpoint can take. */
export const WEBHOOK_FORMATS = ['socbridge', 'splunk-hec'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** An outbound webhook endpoint, as configured (rules name it `webhook:<name>`). Holds secrets: never log it. */
export interface WebhookEndpoint {
  /** `WEBHOOK_SOAR_INTAKE_URL` → `soar-intake`. */
  readonly name: string;
  readonly url: string;
  /** Signs every request (HMAC-SHA256). */
  readonly secret: string;
  readonly format: WebhookFormat;
  /** Splunk HTTP Event Collector token (`Authorization: Splunk <token>`). */
  readonly token?: string;
}

const SETTINGS = ['URL', 'SECRET', 'FORMAT', 'TOKEN'] as const;
type Setting = (typeof SETTINGS)[number];
const VARIABLE = /^WEBHOOK_([A-Z0-9](?:[A-Z0-9_]*[A-Z0-9])?)_(URL|SECRET|FORMAT|TOKEN)$/;
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

const blank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** One endpoint's variables, by their suffix. Messages never repeat a value: URLs may carry keys (`?code=`). */
const EndpointSchema = z.object({
  URL: z.preprocess(blank, z.url({ protocol: /^https?$/, error: 'must be an https URL, e.g. https://siem.example/soc-bridge' })),
  SECRET: z.preprocess(
    blank,
    z.string({ error: 'is required: at least 32 characters of random text that signs every request (e.g. the output of "openssl rand -base64 48")' }).min(32, 'must be at least 32 characters of random text, e.g. the output of "openssl rand -base64 48"'),
  ),
  FORMAT: z.preprocess(blank, z.enum(WEBHOOK_FORMATS, { error: `must be ${WEBHOOK_FORMATS.join(' or ')}` }).default('socbridge')),
  TOKEN: z.preprocess(blank, z.string().trim().optional()),
});

/**
 * The outbound webhooks the environment declares: `WEBHOOK_<NAME>_URL`, `_SECRET`, `_FORMAT`
 * (socbridge or splunk-hec) and `_TOKEN` (Splunk HEC only), one family per endpoint. Each bad value
 * becomes one problem naming its variable. URLs must be https; plain http only to a loopback address
 * in sandbox mode (a local receiver to try things with).
 */
export function resolveWebhooks(env: Record<string, string | undefined>, mode: 'sandbox' | 'connected', problems: ConfigProblem[]): WebhookEndpoint[] {
  const byName = new Map<string, Partial<Record<Setting, string>>>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('WEBHOOK_') || value === undefined) continue;
    const match = VARIABLE.exec(variable);
    if (!match) {
      problems.push({ variable, expected: 'is not a webhook setting: use WEBHOOK_<NAME>_URL, WEBHOOK_<NAME>_SECRET, WEBHOOK_<NAME>_FORMAT or WEBHOOK_<NAME>_TOKEN, where NAME is capital letters, digits and underscores' });
      continue;
    }
    const [, name = '', setting = 'URL'] = match;
    byName.set(name, { ...byName.get(name), [setting]: value });
  }
  const endpoints: WebhookEndpoint[] = [];
  for (const [name, settings] of byName) {
    const variable = (setting: Setting) => `WEBHOOK_${name}_${setting}`;
    if (blank(settings.URL) === undefined) {
      const given = SETTINGS.filter((s) => blank(settings[s]) !== undefined);
      if (given.length > 0) problems.push({ variable: variable('URL'), expected: `is required when ${given.map(variable).join(' and ')} ${given.length === 1 ? 'is' : 'are'} set: the endpoint's https URL` });
      continue;
    }
    const parsed = EndpointSchema.safeParse(settings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ variable: variable(String(issue.path[0]) as Setting), expected: issue.message });
      continue;
    }
    const { URL: url, SECRET: secret, FORMAT: format, TOKEN: token } = parsed.data;
    const urlProblem = checkUrl(new URL(url), mode);
    if (urlProblem) problems.push({ variable: variable('URL'), expected: urlProblem });
    if (format === 'splunk-hec' && !token) problems.push({ variable: variable('TOKEN'), expected: 'is required when the format is splunk-hec: the HTTP Event Collector token Splunk gave this input' });
    if (format !== 'splunk-hec' && token) problems.push({ variable: variable('TOKEN'), expected: 'is only used with WEBHOOK_<NAME>_FORMAT=splunk-hec; unset it' });
    if (!urlProblem) endpoints.push({ name: name.toLowerCase().replace(/_/g, '-'), url, secret, format, ...(token ? { token } : {}) });
  }
  return endpoints.sort((a, b) => a.name.localeCompare(b.name));
}

function checkUrl(url: URL, mode: 'sandbox' | 'connected'): string | undefined {
  const where = `${url.protocol}//${url.host}`;
  if (url.username || url.password) return `must not carry a user name or password (${where}): requests are signed with WEBHOOK_<NAME>_SECRET instead`;
  if (url.protocol === 'https:') return undefined;
  if (mode === 'sandbox' && LOOPBACK_HOST.test(url.hostname)) return undefined;
  return `must be an https URL (got ${where}); plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost) in sandbox mode`;
}

/** The endpoint's URL without path and query, for people and logs (a query may hold a key). */
export function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
