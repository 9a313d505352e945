import { describe, expect, it } from '@jest/globals';
import { TEAMS_CONVERSATION_WINDOWS, TeamsBudgets } from '../../src/delivery/pacing.js';
import { TeamsSendGate } from '../../src/delivery/send-gate.js';
import { silentLogger } from '../../src/log.js';
import { InProcessRateBudgets } from '../../src/store/in-process-rate-budgets.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { windowBroken } from './support.js';

const START = Date.parse('2026-11-26T09:00:00Z');

/** A gate over the embedded store's budgets on a manual clock, recording when each message went. */
function setUp(replyMaxWaitMs = 5000) {
  const clock = new ManualClock(START);
  const budgets = new TeamsBudgets({ rates: new InProcessRateBudgets(clock), logger: silentLogger }, TEAMS_CONVERSATION_WINDOWS);
  const gate = new TeamsSendGate({ budgets, clock, logger: silentLogger }, { replyMaxWaitMs });
  const sent: { who: string; at: number }[] = [];
  const refusals: string[] = [];
  const send = async (conversationId: string, sender: 'delivery' | 'reply', who: string): Promise<void> => {
    // As delivery's queue does: a card the gate refuses is tried again a moment later.
    for (;;) {
      try {
        await gate.admit(conversationId, sender);
        sent.push({ who, at: clock.nowMs() - START });
        return;
      } catch (error) {
        refusals.push(`${who}: ${(error as Error).message}`);
        await clock.sleep(1000);
      }
    }
  };
  return { clock, gate, send, sent, refusals };
}

describe('Teams send gate', () => {
  it('keeps a slot of every window from the cards, so a reply goes at once and the cards wait after it', async () => {
    const { clock, send, sent } = setUp();
    const cards = Array.from({ length: 10 }, (_, n) => send('19:a', 'delivery', `card ${n}`));
    await clock.advance(0);
    expect(sent.map((s) => s.who)).toEqual(['card 0', 'card 1', 'card 2', 'card 3', 'card 4', 'card 5']);
    // A reply in a thread of the channel counts against the channel, and goes at once.
    const replies = [send('19:a;messageid=42', 'reply', 'reply 1'), send('19:a', 'reply', 'reply 2')];
    await clock.advance(0);
    expect(sent.at(-1)).toEqual({ who: 'reply 1', at: 0 });
    await clock.advance(1000);
    // The second reply takes the first slot the 1-second window frees, ahead of four waiting cards.
    expect(sent.slice(7).map((s) => s.who)).toEqual(['reply 2']);
    await clock.advance(30_000);
    await Promise.all([...cards, ...replies]);
    expect(sent).toHaveLength(12);
    expect(windowBroken(sent.map((s) => s.at), TEAMS_CONVERSATION_WINDOWS)).toBeUndefined();
  });

  it('fails a card that replies would hold longer than a second, for its queue to retry (the lease is checked again then)', async () => {
    const { clock, gate, send, sent } = setUp();
    for (let n = 0; n < 6; n++) void send('19:a', 'delivery', `card ${n}`);
    void send('19:a', 'reply', 'reply');
    await clock.advance(0);
    expect(sent).toHaveLength(7);
    // Teams' 2-second window: 7 of 8 used, the 8th left to replies; the next card must wait 2 s.
    const card = gate.admit('19:a', 'delivery');
    await clock.advance(0);
    await expect(card).rejects.toThrow(/replies hold this conversation's Teams budget for \d+ ms more; the card is retried/);
  });

  it('leaves other conversations alone', async () => {
    const { clock, send, sent } = setUp();
    for (let n = 0; n < 7; n++) void send('19:a', 'delivery', `a ${n}`);
    void send('19:b', 'delivery', 'b 0');
    await clock.advance(0);
    expect(sent.filter((s) => s.at === 0).map((s) => s.who)).toContain('b 0');
    expect(sent.filter((s) => s.who.startsWith('a '))).toHaveLength(6);
  });

  it('keeps replies across all conversations to their share of the per-app budget', async () => {
    const { clock, send, sent } = setUp();
    for (let n = 0; n < 8; n++) void send(`19:c${n}`, 'reply', `reply ${n}`);
    await clock.advance(0);
    expect(sent).toHaveLength(6);
    await clock.advance(1000);
    expect(sent).toHaveLength(8);
  });

  it('sends a reply anyway once it has waited its longest, rather than fail the turn', async () => {
    const { clock, send, sent } = setUp(1500);
    for (let n = 0; n < 60; n++) void send('19:a', 'delivery', `card ${n}`);
    await clock.advance(20_000);
    expect(sent).toHaveLength(54);
    // Cards stop at 54 of Teams' 60 in 30 s: six replies go at once; the next must wait until 30 s, and waits 1.5 s.
    for (let n = 0; n < 6; n++) void send('19:a', 'reply', 'reply');
    await clock.advance(0);
    expect(sent).toHaveLength(60);
    const late = send('19:a', 'reply', 'late');
    await clock.advance(1000);
    expect(sent.map((s) => s.who).slice(-1)).toEqual(['reply']);
    await clock.advance(500);
    await late;
    expect(sent.at(-1)).toEqual({ who: 'late', at: 21_500 });
  });
});
