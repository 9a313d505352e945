import { describe, expect, it } from '@jest/globals';
import { renderCard } from '../../src/cards/render.js';
import { CHECKLIST } from '../../src/onboarding/checklist.js';
import type { OnboardingRecord } from '../../src/onboarding/store-schema.js';
import { checklistCard, consentCard } from '../../src/onboarding/views.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { contrastProblems, textsLostToMarkup } from '../helpers/card-checks.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { cardText } from '../helpers/harness.js';

const TENANT: TenantRecord = {
  handle: 'tailspin-toys', displayName: 'Tailspin Toys', tenantId: '7a115b00-0000-4000-8000-0000000007a1', domain: 'tailspintoys.com', status: 'connected', writeAccess: true,
  createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};
const AT = '2026-12-01T09:00:00.000Z';
const record = (state: OnboardingRecord['consent']['state'], steps: OnboardingRecord['checklist']['steps'] = {}): OnboardingRecord => ({
  tenantId: TENANT.tenantId,
  requestedAccess: 'readwrite',
  requestedBy: { id: 'a', name: 'Alex Wilber' },
  requestedAt: AT,
  link: { nonce: 'n'.repeat(16), issuedAt: AT, expiresAt: '2026-12-04T09:00:00.000Z', issuedBy: 'a' },
  consent: { state, at: AT, ...(state === 'connected' ? { grantedRoles: ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'] } : {}) },
  checklist: { steps },
  history: [],
});

type Json = Record<string, unknown>;

/** Buttons a reader sees without opening anything: actions outside hidden containers (a fallback shows only instead of its action). */
function visibleButtons(node: unknown, hidden = false): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => visibleButtons(n, hidden));
  if (!node || typeof node !== 'object') return [];
  const record = node as Json;
  const isHidden = hidden || record.isVisible === false;
  const own = typeof record.type === 'string' && record.type.startsWith('Action.') && !isHidden ? [String(record.title)] : [];
  return [...own, ...Object.entries(record).filter(([k]) => k !== 'selectAction' && k !== 'card' && k !== 'fallback').flatMap(([, v]) => visibleButtons(v, isHidden))];
}

describe('the consent card', () => {
  it('explains how to grant while it asks, with its terms in view', () => {
    const card = renderCard('consent', consentCard({ tenant: TENANT, record: record('waiting'), clientId: 'c', grantUrl: 'https://login.microsoftonline.com/x/v2.0/adminconsent' }));
    expect(cardText(card)).toContain('"Grant access" opens Microsoft\'s consent page');
    expect(visibleButtons(card)).toEqual(['Grant access']);
    expect(JSON.stringify(card)).toContain('"id":"terms","isVisible":true');
  });

  it('once connected, drops the instructions, keeps the terms on demand, and says truthfully who Defender records', () => {
    const data = consentCard({ tenant: TENANT, record: record('connected'), clientId: 'c', grantUrl: undefined });
    const card = renderCard('consent', data);
    const text = cardText(card);
    expect(text).not.toContain('Grant access');
    expect(text).not.toContain('in the name of the analyst');
    expect(text).toContain('Connected by an administrator of Tailspin Toys');
    expect(data.accessNote).toBe('Defender records each change as made by the SOC Bridge application; comments are signed "Analyst name (via SOC Bridge)", and SOC Bridge\'s audit trail names the analyst behind every change.');
    expect(JSON.stringify(card)).toContain('"id":"terms","isVisible":false');
    expect(visibleButtons(card)).toEqual([]);
    for (const problems of [adaptiveCardProblems(card), contrastProblems(card), textsLostToMarkup(card)]) expect(problems).toEqual([]);
  });
});

describe('the access guide card', () => {
  it('shows each step as one row and only the next step to do open, with its three buttons', () => {
    const connected = record('connected', { groups: { doneBy: { id: 'i', name: 'Isaiah Langer' }, doneAt: AT } });
    const card = renderCard('checklist', checklistCard({ tenant: TENANT, record: connected }));
    const steps = (card.body as Json[]).filter((b) => b.type === 'Container' && Array.isArray(b.items) && (b.items as Json[])[1]?.id !== undefined);
    expect(steps).toHaveLength(CHECKLIST.length);
    const open = steps.filter((s) => (s.items as Json[])[1]!.isVisible === true).map((s) => cardText((s.items as Json[])[0]));
    expect(open).toEqual([expect.stringContaining('2. Turn on Defender roles')]);
    expect(visibleButtons(card)).toEqual(['Open your Defender portal', 'Done', 'Need help']);
    expect(cardText(card)).toContain('Done by Isaiah Langer, 2026-12-01 09:00 UTC.');
    for (const problems of [adaptiveCardProblems(card), contrastProblems(card), textsLostToMarkup(card)]) expect(problems).toEqual([]);
  });
});
