import { describe, expect, it } from '@jest/globals';
import { parseCommand } from '../../src/commands/parse.js';
import { tokenize } from '../../src/commands/input.js';

const parse = (text: string, mentions: { text: string; displayName: string; objectId?: string }[] = []) => parseCommand({ text, mentions });
const OBJECT_ID = '0a1b2c3d-0000-4000-8000-00000000abcd';

describe('tokenize', () => {
  it('keeps quoted text together and turns <at> tags into mentions', () => {
    const tokens = tokenize({ text: 'role grant <at>Megan Bowen</at> "Contoso Ltd" ‘x y’', mentions: [{ text: '<at>Megan Bowen</at>', displayName: 'Megan Bowen', objectId: OBJECT_ID }] });
    expect(tokens).toEqual([
      { kind: 'word', value: 'role' },
      { kind: 'word', value: 'grant' },
      { kind: 'mention', user: { text: '<at>Megan Bowen</at>', displayName: 'Megan Bowen', objectId: OBJECT_ID } },
      { kind: 'word', value: 'Contoso Ltd' },
      { kind: 'word', value: 'x y' },
    ]);
  });
});

describe('parseCommand', () => {
  it('reads every foundation command', () => {
    expect(parse('help')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parse('HELP role grant')).toEqual({ ok: true, command: { name: 'help', topic: 'role grant' } });
    expect(parse('  whoami ')).toEqual({ ok: true, command: { name: 'whoami' } });
    expect(parse('roles')).toEqual({ ok: true, command: { name: 'roles' } });
    expect(parse(`role grant ${OBJECT_ID.toUpperCase()} Analyst`)).toEqual({ ok: true, command: { name: 'role grant', user: { objectId: OBJECT_ID }, role: 'analyst' } });
    expect(parse(`role grant ${OBJECT_ID} customer-admin Contoso.onmicrosoft.com`)).toMatchObject({ ok: true, command: { role: 'customer-admin', tenant: 'contoso.onmicrosoft.com' } });
    expect(parse('role revoke <at>Megan</at>', [{ text: '<at>Megan</at>', displayName: 'Megan', objectId: OBJECT_ID }])).toEqual({
      ok: true,
      command: { name: 'role revoke', user: { objectId: OBJECT_ID, displayName: 'Megan' } },
    });
  });

  it('treats an empty message (a bare @mention) as help', () => {
    expect(parse('   ')).toEqual({ ok: true, command: { name: 'help' } });
  });

  it('suggests the nearest command for typos, and nothing for gibberish', () => {
    expect(parse('rolse')).toMatchObject({ ok: false, kind: 'unknown', suggestion: 'roles' });
    expect(parse('role grnat x analyst')).toMatchObject({ ok: false, kind: 'unknown', suggestion: 'role grant' });
    const gibberish = parse('qqqqqqqqqq');
    expect(gibberish).toMatchObject({ ok: false, kind: 'unknown' });
    expect(gibberish).not.toHaveProperty('suggestion');
  });

  it('does not match a command inside other words', () => {
    expect(parse('xroles')).toMatchObject({ ok: false, kind: 'unknown' });
    expect(parse('please show roles')).toMatchObject({ ok: false, kind: 'unknown' });
  });

  it('says what is wrong with arguments', () => {
    expect(parse('whoami now')).toEqual({ ok: false, kind: 'usage', command: 'whoami', message: '"whoami" takes no arguments.' });
    expect(parse('role grant')).toMatchObject({ kind: 'usage', message: expect.stringContaining('Say whom and which role') });
    expect(parse(`role grant ${OBJECT_ID} analyst contoso`)).toMatchObject({ kind: 'usage', message: expect.stringContaining('Only the customer-admin role takes a tenant') });
    expect(parse(`role grant ${OBJECT_ID} customer-admin bad/tenant`)).toMatchObject({ kind: 'usage', message: expect.stringContaining('is not a tenant') });
    expect(parse('role revoke <at>Ghost</at>', [{ text: '<at>Ghost</at>', displayName: 'Ghost' }])).toMatchObject({
      kind: 'usage',
      message: expect.stringContaining('could not look up the Entra object id of @Ghost'),
    });
    expect(parse('help frobnicate')).toMatchObject({ kind: 'usage', command: 'help' });
  });
});
