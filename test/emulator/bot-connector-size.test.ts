import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotConnectorEmulator } from '../../src/emulator/bot-connector.js';
import { TEAMS_MAX_MESSAGE_BYTES } from '../../src/emulator/teams-limits.js';

let connector: BotConnectorEmulator;

beforeAll(async () => {
  connector = await BotConnectorEmulator.start();
});
afterAll(async () => {
  await connector.close();
});

const CONVERSATION = '19:size@thread.tacv2';

/** A message activity whose JSON is exactly `chars` characters long. */
function activityOf(chars: number, fill = 'x'): string {
  const empty = JSON.stringify({ type: 'message', text: '' });
  return JSON.stringify({ type: 'message', text: fill.repeat(chars - empty.length) });
}

async function send(method: 'POST' | 'PUT', path: string, body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${connector.serviceUrl}v3/conversations/${encodeURIComponent(CONVERSATION)}/${path}`, { method, headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: await response.json() };
}

describe('Bot Connector emulator: Teams’ message size limit', () => {
  it('takes a message of exactly 100 KB counted in UTF-16, and refuses one character more with 413 MessageSizeTooBig', async () => {
    const limitChars = TEAMS_MAX_MESSAGE_BYTES / 2;
    expect((await send('POST', 'activities', activityOf(limitChars))).status).toBe(201);
    const refused = await send('POST', 'activities', activityOf(limitChars + 1));
    expect(refused).toEqual({ status: 413, body: { error: { code: 'MessageSizeTooBig', message: 'Message size too big' } } });
    expect(connector.oversized).toBe(1);
  });

  it('counts characters, not UTF-8 bytes: 60,000 ASCII characters (60 KB as UTF-8) are too many', async () => {
    expect(Buffer.byteLength(activityOf(60_000))).toBeLessThan(TEAMS_MAX_MESSAGE_BYTES);
    expect((await send('POST', 'activities', activityOf(60_000))).status).toBe(413);
  });

  it('refuses an oversized edit and keeps the message as it was', async () => {
    const posted = await send('POST', 'activities', activityOf(1000));
    const id = (posted.body as { id: string }).id;
    expect((await send('PUT', `activities/${id}`, activityOf(TEAMS_MAX_MESSAGE_BYTES))).status).toBe(413);
    expect(connector.message(id)?.updates).toBe(0);
    expect((await send('PUT', `activities/${id}`, activityOf(2000))).status).toBe(200);
    expect(connector.message(id)?.updates).toBe(1);
  });

  it('refuses a message far over the limit with 413 too, not a read error', async () => {
    expect((await send('POST', 'activities', activityOf(3_000_000))).status).toBe(413);
  });
});
