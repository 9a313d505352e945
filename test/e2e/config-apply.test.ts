import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotHarness, USERS, cardIn, cardText } from '../helpers/harness.js';
import { configCommand } from '../config-as-code/fixture.js';

const CHANNEL = '19:contoso-alerts@thread.tacv2';

describe('a configuration file applied between two runs of the bot', () => {
  let bot: BotHarness;

  beforeAll(async () => {
    bot = await BotHarness.start();
    await bot.say('link contoso', USERS.admin, { kind: 'channel', channelId: CHANNEL, channelName: 'Contoso alerts' });
    await bot.app.stop();
    const env = { DATA_DIR: bot.dataDir, SOC_ADMIN_IDS: USERS.admin.aadObjectId };
    const file = join(bot.dataDir, 'soc-bridge.yaml');
    expect((await configCommand(['export', file], env)).code).toBe(0);
    const exported = readFileSync(file, 'utf8');
    expect(exported).toMatch(new RegExp(`  - conversation: ${CHANNEL}\\n    name: [^\\n]*Contoso alerts\\n    tenants: contoso\\n`));
    writeFileSync(
      file,
      exported
        .replace('roles: []\n', `roles:\n  - user: ${USERS.analyst.aadObjectId}\n    name: ${USERS.analyst.name}\n    role: analyst\n`)
        .replace('rules: []\n', 'rules:\n  - name: Contoso everything\n    tenants: contoso\n    severity: any\n'),
    );
    const applied = await configCommand(['apply', file], env);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    await bot.restart();
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('gives the roles and rules it names, and `audit` shows each change by config apply', async () => {
    const whoami = await bot.say('whoami', USERS.analyst);
    expect(JSON.stringify(whoami.replies)).toContain('analyst');
    const rules = await bot.say('rules');
    expect(cardText(cardIn(rules.replies[0]!))).toContain('Contoso everything');
    const audit = await bot.say('audit');
    const text = cardText(cardIn(audit.replies[0]!));
    expect(text).toContain('config apply — rule added — contoso');
    expect(text).toMatch(/"Contoso everything" \(r[a-z0-9]{4}\): name: Contoso everything; tenants: contoso; severity: any; to: channels; include: org,link,devices; group: incident; enabled: true \(from soc-bridge\.yaml\)/);
    expect(text).toContain(`config apply — role added`);
    expect(text).toContain(`${USERS.analyst.aadObjectId}: name: ${USERS.analyst.name}; role: analyst (from soc-bridge.yaml)`);
  });
});
