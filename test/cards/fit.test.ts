import { describe, expect, it } from '@jest/globals';
import type { AlertDetailCardData } from '../../src/cards/catalog.js';
import { CARD_BUDGET_BYTES, utf16Bytes } from '../../src/cards/fit.js';
import { renderCard } from '../../src/cards/render.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { cardText } from '../helpers/harness.js';
import { longText } from '../helpers/oversized-alert.js';

/** The renderer keeps every card under the budget, whatever the data; what it cuts, it says. */

const button = { title: 'Show help', actionData: { verb: 'command.run' as const, command: 'help' } };

describe('cards too large for Teams', () => {
  it('cut the longest list and say how many entries are not shown, keeping the buttons', () => {
    const details = Array.from({ length: 5000 }, (_, i) => `Detail line ${i}: ${longText('', 80)}`);
    const card = renderCard('notice', { tone: 'default', title: 'Many details', text: 'Here they are.', details, buttons: [button] });
    expect(utf16Bytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const text = cardText(card);
    const shown = details.filter((d) => text.includes(d.slice(0, 20))).length;
    const omitted = Number(/…and (\d+) more, not shown: Teams limits the size of a message\./.exec(text)?.[1]);
    expect(shown).toBeGreaterThan(100);
    expect(shown + omitted).toBe(5000);
    expect(JSON.stringify(card.actions)).toContain('"command":"help"');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('clip their texts when lists of one entry are still too large, leaving links and action ids whole', () => {
    const huge = longText('Huge ', 4000);
    const alertId = `da${'7'.repeat(60)}`;
    const data: AlertDetailCardData = {
      severityLabel: huge,
      severityColor: 'attention',
      headline: huge,
      title: huge,
      customer: huge,
      notices: Array.from({ length: 3 }, () => ({ color: 'warning' as const, text: huge })),
      facts: Array.from({ length: 5 }, (_, i) => ({ title: `${i} ${huge}`, value: huge })),
      commandLine: huge,
      description: huge,
      details: Array.from({ length: 10 }, () => ({ title: huge, value: huge })),
      comments: Array.from({ length: 3 }, () => huge),
      alertUrl: `https://security.microsoft.com/alerts/${alertId}?tid=11111111-1111-4111-8111-111111111111`,
      incidentUrl: '',
      linkMode: 'secondary',
      assign: [{ title: 'Assign to me', actionData: { verb: 'alert.assign', tenantId: 't', alertId } }],
      takeOver: [],
      setStatus: [],
      classify: [],
      comment: [],
      refresh: [{ title: 'Refresh', actionData: { verb: 'alert.refresh', tenantId: 't', alertId } }],
    };
    expect(utf16Bytes(data)).toBeGreaterThan(2 * CARD_BUDGET_BYTES);
    const card = renderCard('alert-detail', data);
    expect(utf16Bytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const json = JSON.stringify(card);
    expect(json).toContain(data.alertUrl);
    expect(json).toContain(`"alertId":"${alertId}"`);
    expect(json).toContain('Assign to me');
    const longest = Math.max(...cardText(card).split('\n').map((line) => line.length));
    expect(longest).toBeGreaterThan(500);
    expect(longest).toBeLessThan(1200);
  });

  it('leave a card that fits exactly as it was', () => {
    const data = { tone: 'default' as const, title: 'Small', text: 'Fits.', details: ['a', 'b', 'c'], buttons: [button] };
    expect(cardText(renderCard('notice', data))).not.toContain('not shown');
  });
});
