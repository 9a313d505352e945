import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { CARD_NAMES, type CardDataByName } from '../../src/cards/catalog.js';
import { neutralizeText } from '../../src/cards/neutralize.js';
import { renderCard } from '../../src/cards/render.js';
import { cardsDir } from '../../src/paths.js';
import { contrastProblems, contrastRatio, textsLostToMarkup } from '../helpers/card-checks.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { cardText } from '../helpers/harness.js';

const button = { title: 'Show help', actionData: { verb: 'command.run' as const, command: 'help' } };

/** Sample data for every template; the compiler keeps it complete. */
const SAMPLES: { [N in keyof CardDataByName]: CardDataByName[N] } = {
  help: { title: 'SOC Bridge commands', roleLine: 'Your role: admin.', commands: [{ usage: 'alert <tenant> <alert-id>', summary: 'Opens one alert.', examples: 'alert contoso da6385' }], footer: 'More later.' },
  whoami: { displayName: 'Alex', facts: [{ title: 'Entra object id', value: 'abc' }] },
  roles: { summary: '1 user', holders: [{ name: 'Alex', role: 'admin', scope: 'all customers', grantedBy: 'config', grantedAt: 'on 2026-11-26' }] },
  'unknown-command': { input: 'whoamii', hint: 'Did you mean whoami?', buttons: [button] },
  notice: { tone: 'attention', title: 'Not allowed', text: 'Nope.', details: ['Usage: x'], buttons: [button] },
  welcome: { title: 'Hello', lines: ['One', 'Two'], buttons: [button] },
  tenants: {
    summary: '2 customers',
    tenants: [
      { name: 'Contoso (contoso)', statusLabel: 'Connected', statusColor: 'good', openAlerts: '2 high', channels: 'none linked', lastContact: 'never', accessGuide: '3 of 8 steps done', trouble: '' },
      { name: 'Fabrikam (fabrikam)', statusLabel: 'Needs attention', statusColor: 'attention', openAlerts: '—', channels: 'none linked', lastContact: 'never', accessGuide: 'starts after consent', trouble: 'Consent revoked' },
    ],
  },
  'alert-list': {
    title: 'Alerts — Contoso',
    subtitle: 'any severity',
    items: [{ severityLabel: 'High', severityColor: 'attention', title: 'Ransomware', line: 'New', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' } }],
    failures: ['Fabrikam: unavailable'],
    empty: [],
    more: [{ title: 'More', actionData: { verb: 'alerts.more', tenant: 'contoso' } }],
  },
  'alert-detail': {
    severityLabel: 'High',
    severityColor: 'attention',
    headline: 'High severity · Contoso (contoso)',
    title: 'Ransomware behavior detected',
    customer: 'Contoso (contoso)',
    notices: [{ color: 'good', text: 'Assigned' }],
    facts: [{ title: 'Status', value: 'New' }, { title: 'Device', value: 'pc1' }],
    commandLine: 'schtasks.exe /create /tn "Sync" /tr "C:\\Users\\Public\\sync.vbs"',
    description: 'Something bad.',
    details: [{ title: 'Alert id', value: 'a' }],
    comments: ['Alex: looking'],
    alertUrl: 'https://security.microsoft.com/alerts/a?tid=t',
    incidentUrl: 'https://security.microsoft.com/incidents/1?tid=t',
    linkMode: 'secondary',
    assign: [{ title: 'Assign to me', actionData: { verb: 'alert.assign', tenantId: 't', alertId: 'a' } }],
    takeOver: [],
    setStatus: [{ title: 'Set status', actionData: { verb: 'alert.status', tenantId: 't', alertId: 'a' }, choices: [{ title: 'In progress', value: 'inProgress' }] }],
    classify: [{
      title: 'Classify',
      verdicts: [
        { title: 'True positive', inputId: 'determination-truePositive', choices: [{ title: 'Malware', value: 'malware' }], actionData: { verb: 'alert.classify', tenantId: 't', alertId: 'a', classification: 'truePositive' } },
        { title: 'False positive', inputId: 'determination-falsePositive', choices: [{ title: 'Not malicious', value: 'notMalicious' }], actionData: { verb: 'alert.classify', tenantId: 't', alertId: 'a', classification: 'falsePositive' } },
      ],
    }],
    comment: [{ title: 'Comment', actionData: { verb: 'alert.comment', tenantId: 't', alertId: 'a' } }],
    refresh: [{ title: 'Refresh', actionData: { verb: 'alert.refresh', tenantId: 't', alertId: 'a' } }],
  },
  'alert-digest': {
    title: '30 new alerts',
    subtitle: 'Storm mode: posted together so this channel sees them at once.',
    items: [{ severityLabel: 'High', severityColor: 'attention', title: 'Ransomware', line: 'Contoso · New', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' } }],
    footer: 'Open an alert for its card and actions.',
  },
  'incident-list': {
    title: 'Incidents — all customers (2)',
    subtitle: 'any severity · newest activity first, 10 per page',
    items: [{ severityLabel: 'High', severityColor: 'attention', title: 'Multi-stage incident involving Execution & Impact on one endpoint', line: 'Contoso · #2041 · Active', actionData: { verb: 'incident.open', tenantId: 't', incidentId: '2041' } }],
    failures: ['Fabrikam: Fabrikam consented before SOC Bridge read incidents.'],
    empty: [],
    more: [{ title: 'More', actionData: { verb: 'incidents.more', tenant: 'all' } }],
  },
  'incident-detail': {
    severityLabel: 'High',
    severityColor: 'attention',
    headline: 'High severity incident #2041 · Contoso (contoso)',
    title: 'Multi-stage incident involving Execution & Impact on one endpoint',
    notices: [{ color: 'warning', text: 'Defender merged this incident into incident 2040.' }],
    facts: [{ title: 'Status', value: 'Active' }, { title: 'Alerts', value: '3 (1 high, 2 medium)' }],
    alertsHeading: 'Alerts (newest first; open one for its card)',
    alerts: [{ severityLabel: 'High', severityColor: 'attention', title: 'Ransomware', line: 'New · 2026-11-26 09:14 UTC', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' } }],
    alertsMore: ['and 3 more alerts: open the incident in Defender for all of them.'],
    description: '3 correlated alerts.',
    details: [{ title: 'Incident id', value: '2041' }],
    comments: ['Alex: looking'],
    incidentUrl: 'https://security.microsoft.com/incidents/2041?tid=t',
    redirect: [{ title: 'Open incident 2040', actionData: { verb: 'incident.open', tenantId: 't', incidentId: '2040' } }],
    assign: [{ title: 'Assign to me', actionData: { verb: 'incident.assign', tenantId: 't', incidentId: '2041' } }],
    takeOver: [],
    setStatus: [{ title: 'Set status', actionData: { verb: 'incident.status', tenantId: 't', incidentId: '2041' }, choices: [{ title: 'In progress', value: 'inProgress' }] }],
    classify: [{
      title: 'Classify',
      verdicts: [{ title: 'True positive', inputId: 'determination-truePositive', choices: [{ title: 'Malware', value: 'malware' }], actionData: { verb: 'incident.classify', tenantId: 't', incidentId: '2041', classification: 'truePositive' } }],
    }],
    comment: [{ title: 'Comment', actionData: { verb: 'incident.comment', tenantId: 't', incidentId: '2041' } }],
    tags: [{ title: 'Tags', actionData: { verb: 'incident.tags', tenantId: 't', incidentId: '2041' }, value: 'Ransomware, VIP' }],
    refresh: [{ title: 'Refresh', actionData: { verb: 'incident.refresh', tenantId: 't', incidentId: '2041' } }],
  },
  audit: { summary: '1 change', entries: [{ headline: 'Alex — assign — contoso', change: 'Owner: nobody → alex', when: 'now' }] },
  consent: {
    title: 'Tailspin Toys: grant the SOC access to your Microsoft Defender alerts',
    subtitle: 'Tenant t · requested by Alex',
    ask: 'Alex asks an administrator of Tailspin Toys to consent.',
    termsVisible: false,
    permissions: [{ title: 'SecurityAlert.Read.All', value: 'Requested, to read alerts.' }],
    accessNote: 'Read only.',
    will: 'SOC Bridge will: read alerts.',
    willNot: 'SOC Bridge will not: read mail.',
    validity: 'This link works once.',
    outcome: [{ text: 'Waiting for an administrator.', color: 'warning' }],
    grantUrl: 'https://login.microsoftonline.com/t/v2.0/adminconsent?client_id=c&state=s',
    recheck: [{ title: 'Check again', actionData: { verb: 'consent.refresh', tenantId: 't' } }],
    buttons: [button],
  },
  checklist: {
    title: 'Tailspin Toys: give the SOC access',
    summary: '1 of 8 steps done',
    intro: 'These steps…',
    notices: [{ text: 'Step 1 marked done by Isaiah.', color: 'good' }],
    steps: [
      { heading: '1. Groups', toggleId: 'step-groups', expanded: false, howTo: 'Create groups.', status: 'Done', statusColor: 'good', progress: 'Done by Isaiah, 2026-11-26 09:00 UTC.', linkTitle: 'Open Entra admin center', linkUrl: 'https://entra.microsoft.com/', done: [], help: [] },
      {
        heading: '2. Roles',
        toggleId: 'step-rbac',
        expanded: true,
        howTo: 'Turn on roles.',
        status: 'To do',
        statusColor: 'default',
        progress: '',
        linkTitle: '',
        linkUrl: '',
        done: [{ title: 'Done', actionData: { verb: 'checklist.done', tenantId: 't', step: 'rbac' } }],
        help: [{ title: 'Need help', actionData: { verb: 'checklist.help', tenantId: 't', step: 'rbac' } }],
      },
    ],
  },
  'tenant-status': {
    title: 'Status: Tailspin Toys (tailspin)',
    statusLabel: 'Connected',
    statusColor: 'good',
    sections: [
      { title: 'Customer', facts: [{ title: 'Tenant id', value: 't' }], lines: [] },
      { title: 'Access guide', facts: [], lines: [{ text: '1. Groups: done', color: 'good' }] },
    ],
    buttons: [button],
  },
  offboard: {
    title: 'Offboard Tailspin Toys?',
    titleColor: 'warning',
    lines: ['Polling stops.', 'The audit trail is kept.'],
    confirm: [{ title: 'Offboard', actionData: { verb: 'offboard.confirm', tenantId: 't' } }],
    cancel: [{ title: 'Cancel', actionData: { verb: 'offboard.cancel', tenantId: 't' } }],
  },
  rules: {
    title: 'Notification rules',
    summary: '1 rule, 1 enabled',
    notes: [{ color: 'warning', text: 'Email is not configured.' }],
    rules: [
      { heading: 'Contoso high (r2k4)', stateLabel: 'Enabled', stateColor: 'good', facts: [{ title: 'Severity', value: 'High' }], buttons: [{ title: 'Pause', actionData: { verb: 'command.run', command: 'rule pause r2k4' } }] },
      { heading: 'Default', stateLabel: 'Built in', stateColor: 'accent', facts: [{ title: 'Severity', value: 'High, Medium' }], buttons: [] },
    ],
    buttons: [{ title: 'New rule', actionData: { verb: 'command.run', command: 'rule new' } }],
  },
  'rule-form': {
    title: 'New notification rule',
    intro: 'Choose which alerts the rule selects.',
    error: 'severity: "urgent" is not a severity.',
    values: {
      name: 'Contoso high', tenantScope: 'only', tenants: 't1', severities: 'high,medium', deviceGroups: 'Servers', serviceSources: '', detectionSources: 'antivirus', categories: '',
      title: '', includeOrgName: 'true', includePortalLink: 'true', includeDeviceInfo: 'false', linkedChannels: 'true', channels: '19:a@thread.tacv2', emails: 'soc@mssp.example', mode: 'teams,email', enabled: 'true',
    },
    choices: {
      tenants: [{ title: 'Contoso (contoso)', value: 't1' }],
      severities: [{ title: 'High', value: 'high' }, { title: 'Medium', value: 'medium' }],
      serviceSources: [{ title: 'Microsoft Defender for Endpoint', value: 'microsoftDefenderForEndpoint' }],
      detectionSources: [{ title: 'Antivirus', value: 'antivirus' }],
      categories: [{ title: 'Ransomware', value: 'Ransomware' }],
      channels: [{ title: 'SOC › Contoso alerts', value: '19:a@thread.tacv2' }],
      modes: [{ title: 'Teams', value: 'teams' }, { title: 'Email', value: 'email' }],
    },
    noChannels: '',
    save: [{ title: 'Create rule', actionData: { verb: 'rule.save', ruleId: '' } }],
  },
  channels: {
    title: 'Alert channels',
    summary: '2 links, 1 not working.',
    notes: [],
    links: [
      { place: 'SOC › Contoso alerts', tenant: 'Contoso (contoso)', healthLabel: 'active', healthColor: 'good', facts: [{ title: 'Last delivery', value: 'none recorded' }], buttons: [{ title: 'Unlink', actionData: { verb: 'command.run', command: 'unlink contoso 19:a@thread.tacv2' } }] },
      { place: 'group chat “Fabrikam”', tenant: 'Fabrikam (fabrikam)', healthLabel: 'broken', healthColor: 'attention', facts: [{ title: 'Problem', value: 'Teams answered 403' }], buttons: [] },
    ],
  },
  stats: {
    title: 'Alert statistics — all customers (2)',
    subtitle: 'Alerts created in the last 7 days',
    notices: [{ color: 'warning', text: 'Sent late: SOC Bridge was not running at 07:00.' }],
    empty: [],
    severity: [{ title: '3 alerts by severity', data: [{ legend: 'High', value: 2, color: 'attention' }, { legend: 'Low', value: 1, color: 'categoricalLightBlue' }], facts: [{ title: 'High', value: '2' }, { title: 'Low', value: '1' }], summary: 'High 2 · Low 1' }],
    trend: [{ title: 'By days (UTC) and severity', data: [{ legend: 'High', color: 'attention', values: [{ x: '11-24', y: 2 }, { x: '11-25', y: 0 }] }], facts: [{ title: '11-24', value: '2 High' }, { title: '11-25', value: 'none' }], summary: 'Busiest: 11-24 with 2 alerts' }],
    bars: [{ title: 'Top 5 devices', data: [{ x: 'pc-01', y: 2 }], facts: [{ title: 'pc-01', value: '2' }], summary: 'pc-01 2' }],
    states: [{ title: 'Open and resolved', data: [{ legend: 'New', value: 1, color: 'categoricalBlue' }, { legend: 'Resolved', value: 2, color: 'good' }], facts: [{ title: 'New', value: '1' }, { title: 'Resolved', value: '2' }], summary: 'New 1 · Resolved 2' }],
    timing: [{ title: 'MTTA median / p90', value: '12 min / 1 h 05 min' }],
    definitions: ['MTTA: from creation to the first acknowledgement in Teams.'],
    customers: [{ name: 'Contoso Ltd', alerts: '2', open: '1', mtta: '12 min / 12 min', mttr: '—' }],
    customersMore: ['…and 3 more customers'],
    openTitle: ['Still open: high and medium, oldest first'],
    openAlerts: [{ severityLabel: 'High', severityColor: 'attention', title: 'Ransomware', line: 'New · unassigned', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' } }],
    sources: ['Counts: Microsoft Graph.'],
    failures: ['Not counted: Fabrikam: unavailable'],
  },
  handover: {
    title: 'Shift hand-over',
    subtitle: 'Tue 1 Dec 2026, 07:00 CET · 2 customers, 3 open alerts',
    notices: [{ color: 'warning', text: 'Sent late.' }],
    customers: [{ name: 'Contoso Ltd', high: '1', medium: '1', low: '0', other: '0' }],
    customersMore: ['…and 1 more'],
    unownedTitle: 'Unowned high-severity alerts: 1',
    unowned: [{ severityLabel: 'High', severityColor: 'attention', title: 'Ransomware', line: 'Contoso Ltd · New · unassigned', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' } }],
    oldestTitle: 'Oldest open alerts (1 of 3)',
    oldest: [{ severityLabel: 'Medium', severityColor: 'warning', title: 'Phish', line: 'Fabrikam Inc · In progress', actionData: { verb: 'alert.open', tenantId: 't', alertId: 'b' } }],
    attention: ['Tailspin Toys: waiting for consent'],
    failures: [],
    sources: ['Open alerts: Microsoft Graph.'],
  },
  escalation: {
    title: 'Escalation: alert still unowned after 15m',
    subtitle: 'High severity · Contoso Ltd',
    mentionLine: '<at>Megan Bowen</at>, <at>Alex Wilber</at>',
    mentions: [
      { type: 'mention', text: '<at>Megan Bowen</at>', mentioned: { id: '6f1c3f0e-5a2b-4c1d-9e8f-000000000021', name: 'Megan Bowen' } },
      { type: 'mention', text: '<at>Alex Wilber</at>', mentioned: { id: '6f1c3f0e-5a2b-4c1d-9e8f-000000000022', name: 'Alex Wilber' } },
    ],
    text: 'Ransomware behavior detected is still new and nobody owns it. Please take it or pass it on.',
    facts: [{ title: 'Created', value: 'Thu 26 Nov 2026, 09:00 UTC' }],
    actionData: { verb: 'alert.open', tenantId: 't', alertId: 'a' },
  },
};

describe('card templates', () => {
  it('has a template file for every card name and a name for every file', () => {
    const files = readdirSync(cardsDir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    expect(files).toEqual([...CARD_NAMES].sort());
  });

  it.each(CARD_NAMES)('renders %s as a valid Adaptive Card 1.5', (name) => {
    const card = renderCard(name, SAMPLES[name] as never);
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(JSON.stringify(card)).not.toContain('${');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it.each(CARD_NAMES)('keeps every <placeholder> of %s visible to the Markdown renderer', (name) => {
    expect(textsLostToMarkup(renderCard(name, SAMPLES[name] as never))).toEqual([]);
  });

  it.each(CARD_NAMES)('shows every text of %s at 4.5:1 contrast or more in Teams\' light and dark themes', (name) => {
    expect(contrastProblems(renderCard(name, SAMPLES[name] as never))).toEqual([]);
  });

  it.each(CARD_NAMES)('gives every Action.Execute of %s an Action.Submit fallback with its verb and data', (name) => {
    const actions: Record<string, unknown>[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        if ((node as { type?: unknown }).type === 'Action.Execute') actions.push(node as Record<string, unknown>);
        Object.values(node).forEach(collect);
      }
    };
    collect(renderCard(name, SAMPLES[name] as never));
    for (const action of actions) {
      const fallback = action.fallback as { type: string; title: unknown; data: Record<string, unknown> };
      expect(fallback).toMatchObject({ type: 'Action.Submit', title: action.title });
      expect(fallback.data).toMatchObject({ ...(action.data as object), verb: action.verb });
    }
  });

  it('the validator does catch a broken card', () => {
    expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }] }).length).toBeGreaterThan(0);
  });
});

describe('untrusted text on cards', () => {
  const hostile = 'Pay [here](https://evil.example/login) <https://evil.example> ${json($root)} [a] [b]';

  it('cannot become a Markdown link, an autolink or a template expression', () => {
    const card = renderCard('notice', { ...SAMPLES.notice, title: hostile, text: hostile, details: [hostile] });
    const text = cardText(card);
    expect(text).not.toMatch(/\]\s*\(/);
    expect(text).not.toMatch(/<https?:/);
    expect(text).not.toContain('${');
    expect(text.replace(/\u200b/g, '')).toContain('Pay [here](https://evil.example/login)');
  });

  it('keeps ids in action data intact and protects them from templating', () => {
    const card = renderCard('notice', { ...SAMPLES.notice, buttons: [{ title: 't', actionData: { verb: 'command.run', command: 'help da637_-961 ${x}' } }] });
    const action = (card.actions as { data: { command: string } }[])[0];
    expect(action?.data.command).toBe('help da637_-961 $\u200b{x}');
  });

  it('drops link targets that are not http(s)', async () => {
    const { neutralizeCardData } = await import('../../src/cards/neutralize.js');
    expect(neutralizeCardData({ portalUrl: 'javascript:alert(1)', alertUrl: 'https://security.microsoft.com/alerts/1?tid=x' })).toEqual({
      portalUrl: '',
      alertUrl: 'https://security.microsoft.com/alerts/1?tid=x',
    });
  });

  it('clips very long text', () => {
    expect(neutralizeText('x'.repeat(10_000)).length).toBeLessThanOrEqual(4001);
  });
});

describe('angle brackets', () => {
  it('leaves those the renderer shows as typed alone', () => {
    expect(neutralizeText('role grant <@user|object-id> <admin|analyst> a < b, 3<4')).toBe('role grant <@user|object-id> <admin|analyst> a < b, 3<4');
  });

  it('breaks those the renderer would take for a tag or an autolink, invisibly', () => {
    expect(neutralizeText('alert <tenant> <alert-id>')).toBe('alert <\u200btenant> <\u200balert-id>');
    expect(neutralizeText('onboard <display name…> </b> <!-- x --> <?php')).toBe('onboard <\u200bdisplay name…> <\u200b/b> <\u200b!-- x --> <\u200b?php');
    expect(neutralizeText('mail <bob@evil.example>')).toBe('mail <\u200bbob@evil.example>');
  });

  it('the check finds a placeholder the renderer would swallow', () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'link <tenant>' }, { type: 'TextBlock', text: 'link <\u200btenant>' }] };
    expect(textsLostToMarkup(card)).toEqual(['$.body[0].text: link <tenant>']);
  });
});

describe('humanize', () => {
  it('turns Graph enum values into words', async () => {
    const { humanize } = await import('../../src/alerts/alert-views.js');
    expect(humanize('truePositive')).toBe('True positive');
    expect(humanize('informationalExpectedActivity')).toBe('Informational expected activity');
    expect(humanize('microsoftDefenderForEndpoint')).toBe('Microsoft Defender for Endpoint');
    expect(humanize('notEnoughDataToValidate')).toBe('Not enough data to validate');
    expect(humanize('microsoftDefenderForOffice365')).toBe('Microsoft Defender for Office 365');
    expect(humanize('azureAdIdentityProtection')).toBe('Azure AD Identity protection');
  });
});

describe('spacing', () => {
  it('keeps the spaces between bracketed words while breaking link syntax', () => {
    expect(neutralizeText('[severity:high] [top:N]')).toBe('[severity:high]\u200b [top:N]');
    expect(neutralizeText('[x] (y)')).toBe('[x]\u200b (y)');
  });
});

describe('escalation mentions', () => {
  it('keep their markup and become Teams mention entities whose text matches the card', () => {
    const card = renderCard('escalation', SAMPLES.escalation) as unknown as { body: { text?: string }[]; msteams: { entities: unknown[] } };
    expect(card.body.some((b) => b.text === '<at>Megan Bowen</at>, <at>Alex Wilber</at>')).toBe(true);
    expect(card.msteams.entities).toEqual(SAMPLES.escalation.mentions);
  });

  it('take out of a name what Markdown or the markup would read, in the line and the entity alike', () => {
    const card = renderCard('escalation', {
      ...SAMPLES.escalation,
      mentionLine: '<at>Eve</at>',
      mentions: [{ type: 'mention', text: '<at>[Eve](https://evil.example) <b>x</b></at>', mentioned: { id: 'u1', name: '[Eve](https://evil.example) <b>x</b>' } }],
    }) as unknown as { msteams: { entities: { text: string; mentioned: { name: string } }[] } };
    expect(card.msteams.entities[0]).toEqual({ type: 'mention', text: '<at>Evehttps//evil.example bx/b</at>', mentioned: { id: 'u1', name: 'Evehttps//evil.example bx/b' } });
  });

  it('a mention line that is not only mentions is neutralized like any text', () => {
    const card = renderCard('escalation', { ...SAMPLES.escalation, mentionLine: '<at>Eve</at> <b>bold</b>' }) as unknown as { body: { text?: string }[] };
    expect(card.body.some((b) => b.text?.includes('<\u200bb>'))).toBe(true);
  });
});

describe('the contrast check', () => {
  it('computes WCAG ratios, translucent colours included', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 1);
    expect(contrastRatio('#f8d22a', '#ffffff')).toBeCloseTo(1.47, 2);
    expect(contrastRatio('#92c353', '#ffffff')).toBeCloseTo(2.07, 2);
    expect(contrastRatio('#00000000', '#ffffff')).toBeCloseTo(1, 5);
  });

  it('finds yellow and green text, and accent text on a coloured band, and passes default text there', () => {
    const card = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'Medium', color: 'Warning' },
        { type: 'TextBlock', text: 'Connected', color: 'good' },
        { type: 'Container', style: 'warning', items: [{ type: 'TextBlock', text: 'Medium severity' }, { type: 'TextBlock', text: 'link', color: 'accent' }] },
        { type: 'TextBlock', text: 'Open', color: 'accent' },
      ],
    };
    const problems = contrastProblems(card);
    expect(problems).toEqual([
      expect.stringContaining('$.body[0] (light, warning on default): 1.47:1'),
      expect.stringContaining('$.body[1] (light, good on default): 2.07:1'),
      expect.stringContaining('$.body[2].items[1] (light, accent on warning): 4.30:1'),
      expect.stringContaining('$.body[2].items[1] (dark, accent on warning): 1.83:1'),
    ]);
  });
});
