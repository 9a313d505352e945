import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChatDeliveryError } from '../../src/conversations/messenger.js';
import { notice } from '../../src/chat/reply.js';
import { SocBridgeError } from '../../src/errors.js';
import type { ConversationRecord } from '../../src/conversations/conversation-schema.js';
import { TeamsMessenger } from '../../src/teams/messenger.js';
import { BotHarness, USERS, cardIn, cardText } from '../helpers/harness.js';

let bot: BotHarness;
let channel: ConversationRecord;
let messenger: TeamsMessenger;

beforeAll(async () => {
  bot = await BotHarness.start();
  await bot.say('help', USERS.admin, { kind: 'channel', channelId: '19:proactive@thread.tacv2' });
  channel = (await bot.app.testing.conversation('19:proactive@thread.tacv2'))!;
  messenger = bot.app.messenger as TeamsMessenger;
});
afterAll(async () => {
  await bot.stop();
});

describe('TeamsMessenger', () => {
  it('posts a new card into a stored channel and returns its message id', async () => {
    const { messageId } = await messenger.send(channel, notice({ title: 'New alert', text: 'Hello channel' }));
    expect(messageId).toBeDefined();
    const posted = bot.connector.message(messageId!);
    expect(posted?.conversationId).toBe('19:proactive@thread.tacv2');
    expect(cardText(cardIn(posted!.activity))).toContain('Hello channel');
  });

  it('edits a card it posted', async () => {
    const { messageId } = await messenger.send(channel, notice({ title: 'v1', text: 'first' }));
    await messenger.update(channel, messageId!, notice({ title: 'v2', text: 'second' }));
    const posted = bot.connector.message(messageId!);
    expect(posted?.updates).toBe(1);
    expect(cardText(cardIn(posted!.activity))).toContain('second');
  });

  it("replies in the thread a card of ours started: the channel's id with ;messageid=<root>", async () => {
    const { messageId: rootId } = await messenger.send(channel, notice({ title: 'Root', text: 'the thread starts here' }));
    const { messageId } = await messenger.reply(channel, rootId!, notice({ title: 'Reply', text: 'in the thread' }));
    const posted = bot.connector.message(messageId!);
    expect(posted?.conversationId).toBe(`19:proactive@thread.tacv2;messageid=${rootId}`);
    expect(cardText(cardIn(posted!.activity))).toContain('in the thread');
    expect(bot.connector.message(rootId!)?.updates).toBe(0);
  });

  // botbuilder's connector client itself retries 429 (honouring Retry-After) and 5xx three times,
  // so a failure reaches the messenger only after four refusals in a row.
  it.each([
    [429, 'throttled', 50],
    [412, 'transient', undefined],
    [502, 'transient', undefined],
    [403, 'gone', undefined],
    [404, 'gone', undefined],
    [400, 'rejected', undefined],
  ] as const)('classifies a %i answer as %s', async (status, kind, retryAfterMs) => {
    bot.connector.clearFaults();
    const fault = { status, ...(status === 429 ? { retryAfterSeconds: 0.05 } : {}) };
    bot.connector.injectFaults([fault, fault, fault, fault]);
    const error = (await messenger.send(channel, notice({ title: 't', text: 'x' })).catch((e: unknown) => e)) as ChatDeliveryError;
    expect(error).toBeInstanceOf(ChatDeliveryError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error).toBeInstanceOf(SocBridgeError);
    expect(error.code).toBe('chat.delivery-failed');
    expect(error.message).toMatch(new RegExp(`^Teams answered ${status}: `));
    expect(error.userMessage).toMatch(/^Teams /);
    expect(error.userMessage).not.toContain(String(status));
  });

  it('rides out a single 429 inside the connector client', async () => {
    bot.connector.clearFaults();
    bot.connector.injectFaults([{ status: 429, retryAfterSeconds: 0.05 }]);
    const { messageId } = await messenger.send(channel, notice({ title: 't', text: 'x' }));
    expect(bot.connector.message(messageId!)).toBeDefined();
  });

  it('accepts a 202 without a body: sent, id unknown', async () => {
    bot.connector.clearFaults();
    bot.connector.injectFaults([{ status: 202 }]);
    expect(await messenger.send(channel, notice({ title: 't', text: 'x' }))).toEqual({ messageId: undefined });
  });
});
