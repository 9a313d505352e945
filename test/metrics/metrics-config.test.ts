import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config.js';
import { startBot } from '../helpers/bot-process.js';

const TOKEN = 'metrics-token-for-tests-0123456789-abcdefghij';

describe('METRICS_TOKEN and METRICS_PORT', () => {
  it('are off by default', () => {
    expect(parseConfig({}, '/srv/soc').metrics).toEqual({ token: undefined, port: undefined });
  });

  it('take a token, a loopback port, or both', () => {
    expect(parseConfig({ METRICS_TOKEN: TOKEN }, '/srv/soc').metrics).toEqual({ token: TOKEN, port: undefined });
    expect(parseConfig({ METRICS_PORT: '9464', METRICS_TOKEN: TOKEN }, '/srv/soc').metrics).toEqual({ token: TOKEN, port: 9464 });
    expect(parseConfig({ METRICS_PORT: ' ' }, '/srv/soc').metrics.port).toBeUndefined();
  });

  it.each([
    ['short', 'a short token'],
    [`${TOKEN.slice(0, 20)} ${TOKEN.slice(20)}`, 'a token with a space'],
  ])('refuses %s (%s) without echoing it', (token) => {
    const problems = configProblems({ METRICS_TOKEN: token });
    expect(problems).toEqual([{ variable: 'METRICS_TOKEN', expected: expect.stringContaining('must be at least 32 characters of random text without spaces') }]);
    expect(JSON.stringify(problems)).not.toContain(token);
  });

  it.each(['abc', '-1', '65536', '80.5'])('refuses METRICS_PORT=%s', (port) => {
    expect(configProblems({ METRICS_PORT: port })).toEqual([{ variable: 'METRICS_PORT', expected: `must be a whole number between 0 and 65535: the loopback port of the /metrics listener (got "${port}")` }]);
  });

  it('refuses the port the bot already listens on', () => {
    expect(configProblems({ PORT: '9464', METRICS_PORT: '9464' })).toEqual([{ variable: 'METRICS_PORT', expected: expect.stringContaining('must differ from PORT (9464)') }]);
    expect(parseConfig({ PORT: '0', METRICS_PORT: '0' }, '/srv/soc').metrics.port).toBe(0);
  });

  it('stop the process with exit code 2 and one line each, the token never shown', async () => {
    const run = await startBot({ METRICS_PORT: 'ninety', METRICS_TOKEN: 'too-short-token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ {2}METRICS_PORT: must be a whole number between 0 and 65535: the loopback port of the \/metrics listener \(got "ninety"\)$/m);
    expect(run.stderr).toMatch(/^ {2}METRICS_TOKEN: must be at least 32 characters .*$/m);
    expect(run.stderr).not.toContain('too-short-token');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
