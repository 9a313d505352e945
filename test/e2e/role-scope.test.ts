import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotHarness, cardIn, cardText, CUSTOMERS, USERS } from '../helpers/harness.js';

let bot: BotHarness;

beforeAll(async () => {
  bot = await BotHarness.start();
});
afterAll(async () => {
  await bot.stop();
});

const roleOf = (user: { aadObjectId: string }) => bot.app.store.read().roles.find((r) => r.userId === user.aadObjectId);

describe('role grant customer-admin resolves the tenant when the role is given', () => {
  it('refuses a tenant that does not exist, naming the nearest one, and grants nothing', async () => {
    const { replies } = await bot.say(`role grant ${USERS.nobody.aadObjectId} customer-admin contso`);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('There is no customer tenant "contso". Did you mean "contoso"?');
    expect(roleOf(USERS.nobody)).toBeUndefined();
  });

  it('does not let a refused scope come alive when a tenant of that name is onboarded later', async () => {
    const refused = await bot.say(`role grant ${USERS.nobody.aadObjectId} customer-admin tailspin`);
    expect(cardText(cardIn(refused.replies[0]!))).toContain('There is no customer tenant "tailspin"');
    await bot.app.services.tenants.add({
      handle: 'tailspin',
      displayName: 'Tailspin Toys',
      tenantId: '7a1d2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b',
      domain: 'tailspintoys.com',
      status: 'pending-consent',
      writeAccess: false,
    });
    expect(roleOf(USERS.nobody)).toBeUndefined();
    const tenants = await bot.say('tenants', USERS.nobody);
    expect(cardText(cardIn(tenants.replies[0]!))).not.toContain('Tailspin Toys');
  });

  it('stores the handle of a tenant named by its domain', async () => {
    const { replies } = await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso.onmicrosoft.com`);
    expect(cardText(cardIn(replies[0]!))).toContain('customer-admin for customer contoso.');
    expect(roleOf(USERS.customerAdmin)).toMatchObject({ role: 'customer-admin', tenant: 'contoso' });
  });

  it('refuses an offboarded tenant', async () => {
    await bot.app.services.tenants.change(CUSTOMERS.northwind.tenant.tenantId, { status: 'offboarded' });
    const { replies } = await bot.say(`role grant ${USERS.nobody.aadObjectId} customer-admin northwind`);
    expect(cardText(cardIn(replies[0]!))).toContain('Northwind Traders (northwind) was offboarded; onboard it again');
    expect(roleOf(USERS.nobody)).toBeUndefined();
  });
});
