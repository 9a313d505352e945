import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { classifyAnswer } from '../../src/delivery/targets/webhook/webhook-sender.js';
import { projectRoot } from '../../src/paths.js';
import { configProblems } from '../helpers/config.js';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';
const TOKEN = '8a2f7c1e-4b3d-4e5f-9a6b-7c8d9e0f1a2b';
/** Connected mode, so http is refused everywhere. */
const CONNECTED = { DEFENDER_CLIENT_ID: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b', DEFENDER_CLIENT_SECRET: 'x', CONSENT_STATE_SECRET: 'c'.repeat(40) };

const byVariable = (env: Record<string, string>) => Object.fromEntries(configProblems(env).map((p) => [p.variable, p.expected]));

describe('webhook configuration', () => {
  it('reads one endpoint per WEBHOOK_<NAME>_ family, named as rules name it', () => {
    const config = parseConfig(
      {
        WEBHOOK_SIEM_URL: 'https://siem.example/intake?code=abc',
        WEBHOOK_SIEM_SECRET: SECRET,
        WEBHOOK_SOAR_INTAKE_URL: 'https://soar.example/hooks/soc',
        WEBHOOK_SOAR_INTAKE_SECRET: SECRET,
        WEBHOOK_SPLUNK_URL: 'https://splunk.example:8088/services/collector/event',
        WEBHOOK_SPLUNK_SECRET: SECRET,
        WEBHOOK_SPLUNK_FORMAT: 'splunk-hec',
        WEBHOOK_SPLUNK_TOKEN: TOKEN,
      },
      '/srv/soc',
    );
    expect(config.webhooks).toEqual([
      { name: 'siem', url: 'https://siem.example/intake?code=abc', secret: SECRET, format: 'socbridge' },
      { name: 'soar-intake', url: 'https://soar.example/hooks/soc', secret: SECRET, format: 'socbridge' },
      { name: 'splunk', url: 'https://splunk.example:8088/services/collector/event', secret: SECRET, format: 'splunk-hec', token: TOKEN },
    ]);
    expect(parseConfig({}, '/srv/soc').webhooks).toEqual([]);
  });

  it('says what is wrong with each bad value, one line each, and never repeats a secret or a URL query', () => {
    const env = {
      ...CONNECTED,
      WEBHOOK_PLAIN_URL: 'http://siem.example/intake?code=s3cr3t-key',
      WEBHOOK_PLAIN_SECRET: SECRET,
      WEBHOOK_SHORT_URL: 'https://siem.example/a',
      WEBHOOK_SHORT_SECRET: 'too-short-secret',
      WEBHOOK_NOSECRET_URL: 'https://siem.example/b',
      WEBHOOK_ODD_URL: 'https://siem.example/c',
      WEBHOOK_ODD_SECRET: SECRET,
      WEBHOOK_ODD_FORMAT: 'xml',
      WEBHOOK_HEC_URL: 'https://splunk.example/services/collector/event',
      WEBHOOK_HEC_SECRET: SECRET,
      WEBHOOK_HEC_FORMAT: 'splunk-hec',
      WEBHOOK_JSON_URL: 'https://siem.example/d',
      WEBHOOK_JSON_SECRET: SECRET,
      WEBHOOK_JSON_TOKEN: TOKEN,
      WEBHOOK_CREDS_URL: 'https://user:hunter2-pw@siem.example/e',
      WEBHOOK_CREDS_SECRET: SECRET,
      WEBHOOK_ORPHAN_SECRET: SECRET,
      WEBHOOK_TYPO_URLL: 'https://siem.example/f',
      WEBHOOK_LOOP_URL: 'http://127.0.0.1:9000/g',
      WEBHOOK_LOOP_SECRET: SECRET,
    };
    const problems = byVariable(env);
    expect(problems).toEqual({
      WEBHOOK_PLAIN_URL: 'must be an https URL (got http://siem.example); plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost) in sandbox mode',
      WEBHOOK_SHORT_SECRET: 'must be at least 32 characters of random text, e.g. the output of "openssl rand -base64 48"',
      WEBHOOK_NOSECRET_SECRET: expect.stringContaining('is required: at least 32 characters of random text'),
      WEBHOOK_ODD_FORMAT: 'must be socbridge or splunk-hec',
      WEBHOOK_HEC_TOKEN: 'is required when the format is splunk-hec: the HTTP Event Collector token Splunk gave this input',
      WEBHOOK_JSON_TOKEN: 'is only used with WEBHOOK_<NAME>_FORMAT=splunk-hec; unset it',
      WEBHOOK_CREDS_URL: 'must not carry a user name or password (https://siem.example): requests are signed with WEBHOOK_<NAME>_SECRET instead',
      WEBHOOK_ORPHAN_URL: "is required when WEBHOOK_ORPHAN_SECRET is set: the endpoint's https URL",
      WEBHOOK_TYPO_URLL: expect.stringContaining('is not a webhook setting: use WEBHOOK_<NAME>_URL, WEBHOOK_<NAME>_SECRET'),
      WEBHOOK_LOOP_URL: expect.stringContaining('plain http is allowed only to a loopback address'),
    });
    const said = JSON.stringify(problems);
    for (const secret of [SECRET, 'too-short-secret', TOKEN, 's3cr3t-key', 'hunter2-pw']) expect(said).not.toContain(secret);
  });

  it('allows plain http to a loopback receiver in sandbox mode only', () => {
    const loopback = (url: string) => ({ WEBHOOK_LOCAL_URL: url, WEBHOOK_LOCAL_SECRET: SECRET });
    for (const url of ['http://127.0.0.1:9000/x', 'http://127.8.9.10/x', 'http://localhost:9000/x', 'http://[::1]:9000/x']) {
      expect(parseConfig(loopback(url), '/srv/soc').webhooks.map((w) => w.url)).toEqual([url]);
      expect(byVariable({ ...CONNECTED, ...loopback(url) }).WEBHOOK_LOCAL_URL).toContain('must be an https URL');
    }
    expect(byVariable(loopback('http://10.0.0.5/x')).WEBHOOK_LOCAL_URL).toContain('must be an https URL (got http://10.0.0.5)');
  });

  it('stops the bot at start with exit code 2 and one clear line for an http URL that is not loopback', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'soc-bridge-webhook-start-'));
    const child = spawn(process.execPath, [join(projectRoot, 'scripts', 'start.mjs')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: '0', WEBHOOK_SIEM_URL: 'http://siem.example/intake', WEBHOOK_SIEM_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ {2}WEBHOOK_SIEM_URL: must be an https URL \(got http:\/\/siem\.example\); plain http is allowed only to a loopback address/m);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('what an endpoint answer means', () => {
  it('retries 429 (throttled), 408 and 5xx (transient), with their Retry-After', () => {
    expect(classifyAnswer(429, 'Too Many Requests', '', 2000)).toMatchObject({ kind: 'throttled', status: 429, retryAfterMs: 2000 });
    expect(classifyAnswer(408, 'Request Timeout', '', undefined)).toMatchObject({ kind: 'transient', status: 408 });
    expect(classifyAnswer(503, 'Service Unavailable', 'maintenance', 30_000)).toMatchObject({ kind: 'transient', retryAfterMs: 30_000, message: 'the endpoint answered 503 Service Unavailable: maintenance' });
  });

  it('gives up any other 4xx and every redirect', () => {
    expect(classifyAnswer(400, 'Bad Request', '{"error":"bad"}', undefined)).toMatchObject({ kind: 'rejected', message: 'the endpoint answered 400 Bad Request: {"error":"bad"}' });
    expect(classifyAnswer(401, 'Unauthorized', '', undefined)).toMatchObject({ kind: 'rejected' });
    expect(classifyAnswer(301, 'Moved Permanently', '', undefined)).toMatchObject({ kind: 'rejected', message: expect.stringContaining('SOC Bridge does not follow redirects') });
  });
});
