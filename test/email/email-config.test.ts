import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../helpers/config.js';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { EmailDeliveryError } from '../../src/delivery/ports.js';
import { createEmailSender } from '../../src/email/create-sender.js';
import { EMAIL_UNCONFIGURED_REASON } from '../../src/email/email-config.js';
import { silentLogger } from '../../src/log.js';

const CONNECTED = {
  DEFENDER_CLIENT_ID: '99999999-2222-4333-8444-555555555555',
  DEFENDER_CLIENT_SECRET: 's3cret',
  CONSENT_STATE_SECRET: 'a-consent-state-secret-that-is-long-enough-0123456789',
};

const problemsOf = configProblems;

describe('email configuration', () => {
  it('writes .eml files under DATA_DIR/mail in sandbox mode without SMTP', () => {
    expect(parseConfig({}, '/srv/soc').email).toEqual({ kind: 'files', dir: join('/srv/soc/data', 'mail'), from: 'SOC Bridge <soc-bridge@sandbox.invalid>' });
    expect(parseConfig({ MAIL_FROM: 'soc@mssp.example' }, '/srv/soc').email).toMatchObject({ kind: 'files', from: 'soc@mssp.example' });
  });

  it('sends no email in connected mode without SMTP: rules cannot ask for it, and a send is refused with the reason', async () => {
    const config = parseConfig(CONNECTED, '/srv/soc');
    expect(config.email).toEqual({ kind: 'none' });
    const email = createEmailSender(config.email, { clock: systemClock, logger: silentLogger });
    expect(email.availability).toEqual({ available: false, reason: EMAIL_UNCONFIGURED_REASON });
    const refusal = await email.sender.send({ to: 'a@b.example', subject: 's', text: 't', html: 'h' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(EmailDeliveryError);
    expect(refusal).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^email is not configured/) });
  });

  it('uses SMTP when SMTP_URL and MAIL_FROM are set, in either mode', () => {
    const env = { SMTP_URL: 'smtps://user:pw@smtp.mssp.example:465', MAIL_FROM: 'SOC Bridge <soc-bridge@mssp.example>' };
    expect(parseConfig({ ...CONNECTED, ...env }, '/srv/soc').email).toEqual({ kind: 'smtp', url: env.SMTP_URL, from: env.MAIL_FROM });
    expect(parseConfig(env, '/srv/soc').email.kind).toBe('smtp');
  });

  it('says what each bad variable should be, without echoing the SMTP password', () => {
    const problems = problemsOf({ SMTP_URL: 'https://user:hunter2@smtp.example', MAIL_FROM: 'not an address' });
    const smtp = problems.find((p) => p.variable === 'SMTP_URL');
    expect(smtp?.expected).toMatch(/^must be an SMTP URL: smtp:\/\/user:password@host:587/);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('requires MAIL_FROM with SMTP_URL, and a valid one', () => {
    expect(problemsOf({ SMTP_URL: 'smtp://smtp.mssp.example:587' })).toEqual([
      { variable: 'MAIL_FROM', expected: 'is required when SMTP_URL is set: the sender of alert emails, e.g. SOC Bridge <soc-bridge@mssp.example>' },
    ]);
    expect(problemsOf({ SMTP_URL: 'smtp://smtp.mssp.example:587', MAIL_FROM: 'SOC <nope>' })).toEqual([
      { variable: 'MAIL_FROM', expected: 'must be an email address, optionally with a display name, e.g. SOC Bridge <soc-bridge@mssp.example>' },
    ]);
  });

  it('refuses MAIL_FROM without SMTP_URL in connected mode', () => {
    expect(problemsOf({ ...CONNECTED, MAIL_FROM: 'soc@mssp.example' })).toEqual([{ variable: 'MAIL_FROM', expected: 'is set but SMTP_URL is empty; set SMTP_URL too, or unset MAIL_FROM' }]);
  });
});
