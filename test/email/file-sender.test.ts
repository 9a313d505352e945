import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailDeliveryError } from '../../src/delivery/ports.js';
import { FileEmailSender } from '../../src/email/file-sender.js';
import { silentLogger } from '../../src/log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { parseMail } from '../helpers/smtp.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-mail-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FileEmailSender (sandbox mode without SMTP)', () => {
  it('writes each email as an RFC 5322 .eml file, and nothing else', async () => {
    const dir = join(tempDir(), 'mail');
    const sender = new FileEmailSender({ dir, from: 'SOC Bridge <soc-bridge@sandbox.invalid>', clock: new ManualClock(), logger: silentLogger });
    await sender.send({ to: 'soc@mssp.example', subject: 'High severity alert: ransomware', text: 'plain body', html: '<p>html body</p>' });
    await sender.send({ to: 'other@mssp.example', subject: 'second', text: 'two', html: '<p>two</p>' });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^20261126T090000000Z-[0-9a-f]{8}\.eml$/);
    const raw = readFileSync(join(dir, files.find((f) => readFileSync(join(dir, f), 'utf8').includes('soc@mssp.example'))!), 'utf8');
    expect(raw).toContain('\r\n');
    expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
    const mail = parseMail(raw);
    expect(mail.header('to')).toBe('soc@mssp.example');
    expect(mail.header('from')).toBe('SOC Bridge <soc-bridge@sandbox.invalid>');
    expect(mail.header('subject')).toBe('High severity alert: ransomware');
    expect(mail.header('message-id')).toMatch(/^<.+@.+>$/);
    expect(mail.text.trim()).toBe('plain body');
    expect(mail.html.trim()).toBe('<p>html body</p>');
  });

  it('reports a folder it cannot write as a transient failure and leaves no temporary file', async () => {
    const parent = tempDir();
    const blocked = join(parent, 'mail');
    writeFileSync(blocked, 'a file where the folder should be');
    const sender = new FileEmailSender({ dir: blocked, from: 'soc-bridge@sandbox.invalid', clock: new ManualClock(), logger: silentLogger });
    const error = (await sender.send({ to: 'soc@mssp.example', subject: 's', text: 't', html: 'h' }).catch((e: unknown) => e)) as EmailDeliveryError;
    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error.kind).toBe('transient');
    expect(readdirSync(parent)).toEqual(['mail']);
  });
});
