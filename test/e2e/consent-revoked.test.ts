import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotHarness, CUSTOMERS, cardIn, cardText } from '../helpers/harness.js';
import { TEST_APP, TEST_ROLES } from '../helpers/entra.js';

/**
 * A customer deletes the enterprise app while SOC Bridge holds a cached Graph token for it. Graph
 * refuses that token from then on (the Graph emulator follows the Entra emulator's service
 * principals), and the token must not be used again: it is dropped at the first 401.
 */

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;

let bot: BotHarness;

beforeAll(async () => {
  bot = await BotHarness.start();
  bot.graph.followServicePrincipals((tenantId, appId) => bot.entra.servicePrincipalId(tenantId, appId));
});
afterAll(async () => {
  await bot.stop();
});

const tenant = (tenantId: string) => bot.app.services.tenants.find(tenantId);
const listText = async (handle: string) => cardText(cardIn((await bot.say(`alerts ${handle}`)).replies[0]!));

describe('consent revoked while a Graph token is cached', () => {
  it('marks the tenant needs-attention at the first refusal and drops only its token', async () => {
    expect(await listText('contoso')).toContain('Alerts — Contoso Ltd');
    expect(await listText('fabrikam')).toContain('Alerts — Fabrikam Inc');
    const contosoTokens = bot.entra.tokenRequests(CONTOSO_ID);
    const fabrikamTokens = bot.entra.tokenRequests(FABRIKAM_ID);

    bot.entra.revokeConsent(CONTOSO_ID, TEST_APP.clientId);
    expect(await listText('contoso')).toContain('refused');
    expect(tenant(CONTOSO_ID)).toMatchObject({ status: 'needs-attention', lastError: { code: 'graph.401' } });
    expect(bot.entra.tokenRequests(CONTOSO_ID)).toBe(contosoTokens);

    // The next call asks Entra for a new token, which names the real cause.
    await bot.say('alerts contoso');
    expect(bot.entra.tokenRequests(CONTOSO_ID)).toBe(contosoTokens + 1);
    expect(tenant(CONTOSO_ID)).toMatchObject({ status: 'needs-attention', lastError: { code: 'entra.700016' } });

    // Other tenants keep their cached tokens.
    expect(await listText('fabrikam')).toContain('Alerts — Fabrikam Inc');
    expect(bot.entra.tokenRequests(FABRIKAM_ID)).toBe(fabrikamTokens);
  });

  it('serves the tenant again as soon as its admin consents again, without waiting for the old token to expire', async () => {
    bot.entra.grantConsent(CONTOSO_ID, TEST_APP.clientId, TEST_ROLES);
    expect(await listText('contoso')).toContain('Alerts — Contoso Ltd');
    expect(tenant(CONTOSO_ID)?.status).toBe('connected');
    expect(tenant(CONTOSO_ID)?.lastError).toBeUndefined();
  });

  it('drops the token again when Graph refuses the new one, and re-consent works again', async () => {
    bot.entra.revokeConsent(CONTOSO_ID, TEST_APP.clientId);
    bot.entra.grantConsent(CONTOSO_ID, TEST_APP.clientId, TEST_ROLES);
    expect(await listText('contoso')).toContain('refused');
    expect(tenant(CONTOSO_ID)?.status).toBe('needs-attention');
    expect(await listText('contoso')).toContain('Alerts — Contoso Ltd');
    expect(tenant(CONTOSO_ID)?.status).toBe('connected');
  });
});
