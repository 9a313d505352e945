import { describe, expect, it } from '@jest/globals';
import { parseCommand } from '../../src/commands/parse.js';

const ISAIAH = { text: '<at>Isaiah Langer</at>', displayName: 'Isaiah Langer', objectId: '6f1c3f0e-5a2b-4c1d-9e8f-000000000023' };
const parse = (text: string, mentions = [ISAIAH]) => parseCommand({ text, mentions });

describe('onboarding commands', () => {
  it('reads onboard with a domain, a multi-word name, an admin mention and an access level', () => {
    expect(parse('onboard tailspintoys.com Tailspin Toys admin:<at>Isaiah Langer</at> access:read')).toEqual({
      ok: true,
      command: { name: 'onboard', tenantRef: 'tailspintoys.com', displayName: 'Tailspin Toys', access: 'read', admin: { objectId: ISAIAH.objectId, displayName: 'Isaiah Langer' } },
    });
  });

  it('defaults to read and write, takes a quoted name and an admin by object id', () => {
    expect(parse('onboard 55555555-5555-4555-8555-555555555555 "Wide World: EMEA" admin:6F1C3F0E-5A2B-4C1D-9E8F-000000000023', [])).toEqual({
      ok: true,
      command: { name: 'onboard', tenantRef: '55555555-5555-4555-8555-555555555555', displayName: 'Wide World: EMEA', access: 'readwrite', admin: { objectId: ISAIAH.objectId } },
    });
  });

  it('says precisely what is wrong', () => {
    expect(parse('onboard tailspin Tailspin Toys')).toMatchObject({ ok: false, kind: 'usage', message: expect.stringContaining('neither an Entra tenant id') });
    expect(parse('onboard tailspintoys.com')).toMatchObject({ ok: false, message: expect.stringContaining("Give the customer's name") });
    expect(parse('onboard tailspintoys.com Tailspin access:everything')).toMatchObject({ ok: false, message: expect.stringContaining('is not an access level') });
    expect(parse('onboard tailspintoys.com Tailspin colour:red')).toMatchObject({ ok: false, message: expect.stringContaining('is not an option here') });
    expect(parse('onboard tailspintoys.com Tailspin <at>Isaiah Langer</at> admin:6f1c3f0e-5a2b-4c1d-9e8f-000000000024')).toMatchObject({ ok: false, message: expect.stringContaining('Name one customer admin only') });
    expect(parse(`onboard tailspintoys.com ${'x'.repeat(81)}`)).toMatchObject({ ok: false, message: expect.stringContaining('at most 80') });
  });

  it('reads consent, status and offboard', () => {
    expect(parse('consent tailspin access:readwrite')).toEqual({ ok: true, command: { name: 'consent', tenant: 'tailspin', access: 'readwrite' } });
    expect(parse('consent tailspin')).toEqual({ ok: true, command: { name: 'consent', tenant: 'tailspin' } });
    expect(parse('status Contoso')).toEqual({ ok: true, command: { name: 'status', tenant: 'contoso' } });
    expect(parse('offboard contoso')).toEqual({ ok: true, command: { name: 'offboard', tenant: 'contoso' } });
    expect(parse('status contoso fabrikam')).toMatchObject({ ok: false, message: expect.stringContaining('exactly one customer') });
    expect(parse('consent tailspin now')).toMatchObject({ ok: false, message: expect.stringContaining('is not an option here') });
  });
});
