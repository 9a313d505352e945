import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { BotHarness } from '../helpers/harness.js';

/**
 * The about, privacy and terms pages the Teams app manifest links to, fetched over HTTP from the
 * running bot as Teams' app details and an admin's browser fetch them.
 */

const manifest = JSON.parse(readFileSync(join(projectRoot, 'appPackage', 'manifest.json'), 'utf8')) as {
  developer: { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
};

async function page(bot: BotHarness, path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${bot.app.url}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** What a reader sees: the text without tags, entities decoded, whitespace collapsed. */
function visible(html: string): string {
  return html
    .replace(/<style>[^<]*<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, ' ');
}

describe('pages the app manifest links to, with no operator configured', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start();
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('serves every developer URL of the manifest as an HTML page that runs nothing', async () => {
    const { websiteUrl, privacyUrl, termsOfUseUrl } = manifest.developer;
    for (const url of [websiteUrl, privacyUrl, termsOfUseUrl]) {
      const path = url.replace('https://${{BOT_DOMAIN}}', '');
      const { status, headers, text } = await page(bot, path);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
      expect(text).not.toMatch(/<script|<img|<form|<iframe/i);
      for (const link of ['href="&#47;"', 'href="&#47;privacy"', 'href="&#47;terms"']) expect(text).toContain(link);
    }
  });

  it('says on the privacy page what SOC Bridge reads and keeps, where, and for how long', async () => {
    const text = visible((await page(bot, '/privacy')).text);
    expect(text).toContain('SOC Bridge is run by the managed security service provider (MSSP) that added it to Microsoft Teams, for its security operations: the MSSP decides');
    expect(text).toContain('SecurityAlert.Read.All');
    expect(text).toContain('An audit trail of every change made to an alert');
    expect(text).toContain('for 30 days.');
    expect(text).toContain("In the MSSP's own storage");
    expect(text).toContain('SOC Bridge reports nothing to its makers: no telemetry');
    expect(text).toContain('Ask your contact at the MSSP to find out what SOC Bridge holds about you');
    expect(text).not.toContain('sandbox mode');
  });

  it('states the terms of use: the role, the audit trail, Defender as the record', async () => {
    const text = visible((await page(bot, '/terms')).text);
    expect(text).toContain('Terms of use');
    expect(text).toContain('within the role a SOC Bridge admin gave you');
    expect(text).toContain('recorded in the audit trail with your name');
    expect(text).toContain('Microsoft Defender remains the record of every alert');
  });

  it('answers other paths with the JSON 404 as before', async () => {
    const { status, text } = await page(bot, '/privacy/more');
    expect(status).toBe(404);
    expect(JSON.parse(text)).toMatchObject({ code: 'ResourceNotFound' });
  });
});

describe('pages with the operator configured', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { OPERATOR_NAME: 'Woodgrove <Security> Services', OPERATOR_CONTACT: 'privacy@woodgrove-security.example', RETENTION: '36h' } });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('names the operator, escaped, links its contact, and states the configured retention', async () => {
    const html = (await page(bot, '/privacy')).text;
    expect(html).not.toContain('<Security>');
    const text = visible(html);
    expect(text).toContain('SOC Bridge is run by Woodgrove <Security> Services, for its security operations: Woodgrove <Security> Services decides');
    expect(text).toContain('Write to Woodgrove <Security> Services at privacy@woodgrove-security.example to find out what SOC Bridge holds about you');
    expect(text).toContain('for 36 hours.');
    expect(html).toContain('href="mailto:privacy@woodgrove-security.example"');
    expect(visible((await page(bot, '/')).text)).toContain('This SOC Bridge is run by Woodgrove <Security> Services.');
  });
});

describe('pages in sandbox mode', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.startSandbox();
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('say that the customers are emulated', async () => {
    for (const path of ['/', '/privacy']) expect(visible((await page(bot, path)).text)).toContain('runs in sandbox mode: its customers and their alerts are emulated');
  });
});
