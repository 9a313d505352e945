import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BotHarness, cardIn, cardText, USERS } from '../helpers/harness.js';

let bot: BotHarness;
let consoleError: ReturnType<typeof jest.spyOn>;

beforeAll(async () => {
  bot = await BotHarness.start();
});
afterAll(async () => {
  await bot.stop();
});
// botbuilder console.error()s the stack of every request it fails; a refused body must never get that far.
beforeEach(() => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  consoleError.mockRestore();
});

type Activity = Record<string, unknown>;
type Account = Record<string, unknown>;

/** The admin types "whoami" in a direct chat, then `change` spoils the activity. */
function message(change: (activity: Activity) => void): Activity {
  const activity: Activity = { ...bot.baseActivity('message', USERS.admin, { kind: 'personal' }), text: 'whoami' };
  change(activity);
  return activity;
}

describe('POST /api/messages checks the shape of the activity before botbuilder sees it', () => {
  it.each<[string, (activity: Activity) => void, string]>([
    ['a serviceUrl that is an object', (a) => (a.serviceUrl = { a: 1 }), '"serviceUrl" must be a string (an http or https URL)'],
    ['a serviceUrl that is not a URL', (a) => (a.serviceUrl = 'not a url'), '"serviceUrl" must be an http or https URL'],
    ['no serviceUrl', (a) => delete a.serviceUrl, '"serviceUrl" is missing'],
    ['a text that is an object', (a) => (a.text = { a: 1 }), '"text" must be a string'],
    ['a text that is null', (a) => (a.text = null), '"text" must be a string'],
    ['a value that is a string', (a) => (delete a.text, (a.value = 'run')), '"value" must be a JSON object'],
    ['a value that is null', (a) => (delete a.text, (a.value = null)), '"value" must be a JSON object'],
    ['a conversation id that is a number', (a) => ((a.conversation as Account).id = 42), '"conversation.id" must be a string'],
    ['no conversation', (a) => delete a.conversation, '"conversation" is missing'],
    ['a sender without an id', (a) => delete (a.from as Account).id, '"from.id" is missing'],
    ['a sender name that is a number', (a) => ((a.from as Account).name = 7), '"from.name" must be a string'],
    ['a recipient id that is an object', (a) => ((a.recipient as Account).id = { id: 'x' }), '"recipient.id" must be a string'],
    ['entities that are not a list', (a) => (a.entities = 'mention'), '"entities" must be an array'],
  ])('refuses %s with 400 and a short reason', async (_case, spoil, reason) => {
    const { status, body, calls } = await bot.post(message(spoil));
    expect(status).toBe(400);
    expect(body).toEqual({ code: 'BadRequest', message: `Invalid activity: ${reason}.` });
    expect(calls).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('refuses an invoke whose value is not an object, and answers nothing to Teams', async () => {
    const invoke = { ...bot.baseActivity('invoke', USERS.admin, { kind: 'personal' }), name: 'adaptiveCard/action', value: ['Action.Execute'] };
    const { status, body, calls } = await bot.post(invoke);
    expect(status).toBe(400);
    expect(body).toEqual({ code: 'BadRequest', message: 'Invalid activity: "value" must be a JSON object.' });
    expect(calls).toEqual([]);
  });

  it('still serves a well-formed message carrying fields it does not know', async () => {
    const { status, calls } = await bot.post(message((a) => Object.assign(a, { locale: 'en-US', attachments: [], somethingNew: { nested: true } })));
    expect(status).toBe(200);
    const replies = calls.filter((c) => c.method === 'POST').map((c) => c.body ?? {});
    expect(cardText(cardIn(replies[0]!))).toContain(USERS.admin.aadObjectId);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
