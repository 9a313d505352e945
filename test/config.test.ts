import { describe, expect, it } from '@jest/globals';
import { configProblems } from './helpers/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAYGROUND_USER_OBJECT_ID, parseConfig, readEnvironment } from '../src/config.js';

const problemsOf = configProblems;

describe('parseConfig', () => {
  it('defaults to a keyless sandbox on loopback', () => {
    const config = parseConfig({}, '/srv/soc');
    expect(config).toMatchObject({
      mode: 'sandbox',
      port: 3978,
      host: '127.0.0.1',
      dataDir: '/srv/soc/data',
      logLevel: 'info',
      bot: { kind: 'keyless' },
      publicBaseUrl: 'http://localhost:3978',
      bootstrapAdminIds: [PLAYGROUND_USER_OBJECT_ID],
      defender: { kind: 'sandbox' },
    });
  });

  it('reads a connected, authenticated configuration', () => {
    const config = parseConfig(
      {
        BOT_ID: '11111111-2222-4333-8444-555555555555',
        BOT_PASSWORD: 'pw',
        BOT_TENANT_ID: 'aaaaaaaa-2222-4333-8444-555555555555',
        DEFENDER_CLIENT_ID: '99999999-2222-4333-8444-555555555555',
        DEFENDER_CLIENT_SECRET: 's3cret',
        CONSENT_STATE_SECRET: 'a-consent-state-secret-of-forty-characters',
        SOC_ADMIN_IDS: ' AAAAAAAA-1111-4111-8111-111111111111 , bbbbbbbb-1111-4111-8111-111111111111',
        PUBLIC_BASE_URL: 'https://soc.example.com/',
      },
      '/srv/soc',
    );
    expect(config.mode).toBe('connected');
    expect(config.host).toBe('0.0.0.0');
    expect(config.bot).toEqual({ kind: 'SingleTenant', appId: '11111111-2222-4333-8444-555555555555', password: 'pw', tenantId: 'aaaaaaaa-2222-4333-8444-555555555555' });
    expect(config.bootstrapAdminIds).toEqual(['aaaaaaaa-1111-4111-8111-111111111111', 'bbbbbbbb-1111-4111-8111-111111111111']);
    expect(config.publicBaseUrl).toBe('https://soc.example.com');
    expect(config.defender).toMatchObject({ kind: 'connected', credentials: { kind: 'secret', secret: 's3cret' }, graphBaseUrl: 'https://graph.microsoft.com' });
  });

  it('names every bad variable and what it should be', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', BOT_ID: 'not-a-guid', ENTRA_AUTHORITY_HOST: 'http://login.example' });
    expect(problems.map((p) => p.variable).sort()).toEqual(['BOT_ID', 'ENTRA_AUTHORITY_HOST', 'LOG_LEVEL', 'PORT']);
    const byName = Object.fromEntries(problems.map((p) => [p.variable, p.expected]));
    expect(byName.PORT).toContain('whole number between 0 and 65535 (got "abc")');
    expect(byName.LOG_LEVEL).toContain('one of fatal, error, warn, info, debug, trace, silent');
    expect(byName.BOT_ID).toContain('must be a GUID');
    expect(byName.ENTRA_AUTHORITY_HOST).toContain('must be an https URL');
  });

  it('never echoes secret values', () => {
    const problems = problemsOf({ BOT_PASSWORD: 'hunter2' });
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(problems[0]).toMatchObject({ variable: 'BOT_PASSWORD', expected: expect.stringContaining('BOT_ID is empty') });
  });

  it('requires the settings each bot type needs', () => {
    expect(problemsOf({ BOT_ID: '11111111-2222-4333-8444-555555555555' }).map((p) => p.variable)).toEqual(['BOT_PASSWORD', 'BOT_TENANT_ID']);
    expect(problemsOf({ BOT_ID: '11111111-2222-4333-8444-555555555555', BOT_TYPE: 'UserAssignedMSI' }).map((p) => p.variable)).toEqual(['BOT_TENANT_ID']);
    expect(problemsOf({ BOT_ID: '11111111-2222-4333-8444-555555555555', BOT_TYPE: 'Global' })[0]?.expected).toContain('SingleTenant, MultiTenant or UserAssignedMSI');
    const multi = parseConfig({ BOT_ID: '11111111-2222-4333-8444-555555555555', BOT_PASSWORD: 'x', BOT_TYPE: 'MultiTenant' });
    expect(multi.bot).toMatchObject({ kind: 'MultiTenant', tenantId: undefined });
  });

  it('refuses to listen beyond loopback while keyless', () => {
    expect(problemsOf({ HOST: '0.0.0.0' })[0]).toMatchObject({ variable: 'HOST', expected: expect.stringContaining('loopback') });
  });

  it('needs exactly one Defender credential', () => {
    expect(problemsOf({ DEFENDER_CLIENT_ID: '99999999-2222-4333-8444-555555555555' })[0]?.variable).toBe('DEFENDER_CLIENT_SECRET');
    expect(problemsOf({ DEFENDER_CLIENT_SECRET: 'x' })[0]?.expected).toContain('DEFENDER_CLIENT_ID is empty');
    expect(problemsOf({ DEFENDER_CLIENT_ID: '99999999-2222-4333-8444-555555555555', DEFENDER_CERTIFICATE_PATH: 'missing.pem' })[0]?.expected).toContain('does not exist');
  });

  it('needs a consent-state secret in connected mode, never echoes it, and reads the link lifetime', () => {
    const connected = { DEFENDER_CLIENT_ID: '99999999-2222-4333-8444-555555555555', DEFENDER_CLIENT_SECRET: 's' };
    expect(problemsOf(connected).map((p) => p.variable)).toEqual(['CONSENT_STATE_SECRET']);
    expect(problemsOf(connected)[0]?.expected).toContain('at least 32 characters');
    const short = problemsOf({ ...connected, CONSENT_STATE_SECRET: 'too-short-secret' });
    expect(short.map((p) => p.variable)).toEqual(['CONSENT_STATE_SECRET']);
    expect(JSON.stringify(short)).not.toContain('too-short-secret');
    expect(parseConfig({}).consent).toEqual({ stateSecret: undefined, linkTtlMs: 72 * 3_600_000 });
    expect(parseConfig({ CONSENT_LINK_TTL: '30m' }).consent.linkTtlMs).toBe(1_800_000);
    expect(problemsOf({ CONSENT_LINK_TTL: '1s' })[0]).toMatchObject({ variable: 'CONSENT_LINK_TTL', expected: expect.stringContaining('at least 5m') });
    expect(problemsOf({ CONSENT_LINK_TTL: 'soon' })[0]).toMatchObject({ variable: 'CONSENT_LINK_TTL', expected: expect.stringContaining('duration') });
  });

  it('takes the operator named on the privacy and terms pages, with a mailbox or an https page to reach them', () => {
    expect(parseConfig({}).operator).toEqual({});
    expect(parseConfig({ OPERATOR_NAME: ' Woodgrove Security ', OPERATOR_CONTACT: 'privacy@woodgrove.example' }).operator).toEqual({
      name: 'Woodgrove Security',
      contact: { kind: 'email', value: 'privacy@woodgrove.example' },
    });
    expect(parseConfig({ OPERATOR_CONTACT: 'https://woodgrove.example/privacy' }).operator).toEqual({ contact: { kind: 'url', value: 'https://woodgrove.example/privacy' } });
    for (const contact of ['http://woodgrove.example/privacy', 'Woodgrove <privacy@woodgrove.example>', 'call us']) {
      expect(problemsOf({ OPERATOR_CONTACT: contact })).toEqual([{ variable: 'OPERATOR_CONTACT', expected: 'must be an email address (privacy@mssp.example) or an https URL (https://mssp.example/privacy)' }]);
    }
    expect(problemsOf({ OPERATOR_NAME: 'x'.repeat(101) })[0]).toMatchObject({ variable: 'OPERATOR_NAME', expected: expect.stringContaining('at most 100 characters') });
  });

  it('treats blank values as unset', () => {
    expect(parseConfig({ PORT: '', BOT_ID: ' ', LOG_LEVEL: '' }).port).toBe(3978);
  });
});

describe('readEnvironment', () => {
  it('reads .env under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n# comment\n');
    const env = readEnvironment(dir, { LOG_LEVEL: 'warn' });
    expect(env.PORT).toBe('4000');
    expect(env.LOG_LEVEL).toBe('warn');
  });
});
