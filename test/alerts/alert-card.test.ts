import { describe, expect, it } from '@jest/globals';
import { ClassifyPayload } from '../../src/alerts/action-payloads.js';
import { alertDetailCard } from '../../src/alerts/alert-views.js';
import { renderCard } from '../../src/cards/render.js';
import { DETERMINATIONS_BY_CLASSIFICATION, alertProcessCommandLines, type Alert } from '../../src/defender/alert.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import { DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { contrastProblems, textsLostToMarkup } from '../helpers/card-checks.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { cardText } from '../helpers/harness.js';

const demo = DEMO_CUSTOMERS[0]!;
const CONTOSO: TenantRecord = {
  handle: demo.handle, displayName: demo.orgName, tenantId: demo.tenantId, domain: demo.domain, status: 'connected', writeAccess: true,
  createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};
const backlog = generateBacklog(demo, 60, new Date('2026-12-01T09:00:00Z'), 'card-test');
/** A new, unowned medium alert with a device, a user and a command line. */
const unowned: Alert = { ...backlog.find((a) => a.status === 'new' && alertProcessCommandLines(a).length > 0)!, severity: 'medium' };
const owned: Alert = { ...unowned, status: 'inProgress', assignedTo: 'megan@mssp.example' };

type Json = Record<string, unknown>;
const render = (alert: Alert, writable = true) => renderCard('alert-detail', alertDetailCard(CONTOSO, alert, { writable })) as Json;
const actionsOf = (card: Json) => (card.actions ?? []) as Json[];
const primary = (card: Json) => actionsOf(card).filter((a) => a.mode !== 'secondary').map((a) => a.title);
const secondary = (card: Json) => actionsOf(card).filter((a) => a.mode === 'secondary').map((a) => a.title);

/** Every element of the card (body, show cards, nested show cards) of a given type. */
function elements(node: unknown, type: string, found: Json[] = []): Json[] {
  if (Array.isArray(node)) node.forEach((n) => elements(n, type, found));
  else if (node && typeof node === 'object') {
    if ((node as Json).type === type) found.push(node as Json);
    Object.values(node).forEach((v) => elements(v, type, found));
  }
  return found;
}

describe('the alert card', () => {
  it('opens with a band in the severity colour holding the severity, the customer and a big title', () => {
    const card = render(unowned);
    const band = (card.body as Json[])[0]!;
    expect(band).toMatchObject({ type: 'Container', style: 'warning', bleed: true });
    const [headline, title] = band.items as Json[];
    expect(headline?.text).toBe('Medium severity · Contoso Ltd (contoso)');
    expect(title).toMatchObject({ text: unowned.title, size: 'Large', weight: 'Bolder', wrap: true });
  });

  it('shows 3 to 5 key facts, the command line in monospace that wraps, and the rest on demand', () => {
    const card = render(unowned);
    const [keyFacts] = elements(card.body, 'FactSet');
    const facts = keyFacts!.facts as { title: string; value: string }[];
    expect(facts.length).toBeGreaterThanOrEqual(3);
    expect(facts.length).toBeLessThanOrEqual(5);
    expect(facts.map((f) => f.title)).toEqual(expect.arrayContaining(['Status', 'Assigned to']));
    const command = elements(card.body, 'TextBlock').find((t) => t.text === alertProcessCommandLines(unowned)[0]);
    expect(command).toMatchObject({ fontType: 'Monospace', wrap: true });
    const details = elements(card.body, 'Container').find((c) => c.id === 'details')!;
    expect(details.isVisible).toBe(false);
    expect(cardText(details)).toContain(unowned.id);
    const toggle = elements(card.body, 'Container').find((c) => (c.selectAction as Json | undefined)?.type === 'Action.ToggleVisibility');
    expect((toggle?.selectAction as Json).targetElements).toContain('details');
  });

  it('puts the triage buttons first, at most four, and navigation and refresh in the overflow menu', () => {
    const card = render(unowned);
    expect(primary(card)).toEqual(['Assign to me', 'Set status', 'Classify', 'Comment']);
    expect(secondary(card)).toEqual(['Open in Defender', 'Refresh']);
  });

  it('offers no "Assign to me" once someone owns the alert, only taking it over from the overflow menu', () => {
    const card = render(owned);
    expect(primary(card)).toEqual(['Set status', 'Classify', 'Comment']);
    expect(secondary(card)).toEqual(['Open in Defender', 'Take over (assign to me)', 'Refresh']);
  });

  it('makes "Open in Defender" the main button when the customer granted read access only', () => {
    const card = render(unowned, false);
    expect(primary(card)).toEqual(['Open in Defender']);
    expect(secondary(card)).toEqual(['Refresh']);
  });

  it('asks for a status with a placeholder, offering only the statuses the alert is not in', () => {
    const status = elements(render(owned).actions, 'Input.ChoiceSet').find((i) => i.id === 'status')!;
    expect(status.placeholder).toBe('Choose a status');
    expect((status.choices as Json[]).map((c) => c.value)).toEqual(['new', 'resolved']);
  });

  it('offers, under each classification, only the determinations that go with it', () => {
    const classify = actionsOf(render(unowned)).find((a) => a.title === 'Classify')!;
    const verdicts = ((classify.card as Json).actions as Json[]).map((a) => ({ title: a.title, input: elements(a.card, 'Input.ChoiceSet')[0]!, submit: elements(a.card, 'Action.Execute')[0]! }));
    expect(verdicts.map((v) => v.title)).toEqual(['True positive', 'Informational, expected activity', 'False positive']);
    for (const verdict of verdicts) {
      const classification = (verdict.submit.data as Json).classification as keyof typeof DETERMINATIONS_BY_CLASSIFICATION;
      expect(verdict.input.id).toBe(`determination-${classification}`);
      expect(verdict.input.placeholder).toBe('Choose a determination');
      expect((verdict.input.choices as Json[]).map((c) => c.value)).toEqual([...DETERMINATIONS_BY_CLASSIFICATION[classification]]);
    }
    const truePositive = verdicts[0]!.input.choices as Json[];
    expect(truePositive.map((c) => c.title)).toContain('Multistage attack');
    expect(truePositive.map((c) => c.value)).not.toContain('notMalicious');
  });

  it('is a valid card, legible in both themes, with nothing lost to markup, well inside 100 KB', () => {
    for (const alert of [unowned, owned]) {
      for (const writable of [true, false]) {
        const card = render(alert, writable);
        expect(adaptiveCardProblems(card)).toEqual([]);
        expect(contrastProblems(card)).toEqual([]);
        expect(textsLostToMarkup(card)).toEqual([]);
        expect(Buffer.byteLength(JSON.stringify(card), 'utf16le')).toBeLessThan(40_000);
      }
    }
  });
});

describe('a classification from the card', () => {
  const ref = { tenantId: CONTOSO.tenantId, alertId: unowned.id };

  it('takes the determination from the input of the classification chosen', () => {
    const parsed = ClassifyPayload.safeParse({ ...ref, classification: 'falsePositive', 'determination-falsePositive': 'notMalicious', 'determination-truePositive': 'malware' });
    expect(parsed.success && parsed.data).toMatchObject({ classification: 'falsePositive', determination: 'notMalicious' });
  });

  it('refuses a determination that does not go with the classification, saying which do', () => {
    const parsed = ClassifyPayload.safeParse({ ...ref, classification: 'truePositive', determination: 'notMalicious' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('"notMalicious" does not go with truePositive; choose one of: multiStagedAttack, maliciousUserActivity, compromisedAccount, malware, phishing, unwantedSoftware, other.');
  });

  it('refuses a classification without a determination', () => {
    const parsed = ClassifyPayload.safeParse({ ...ref, classification: 'truePositive' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('Choose a determination.');
  });
});
