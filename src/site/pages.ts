import { escapeHtml, staticPageHeaders } from '../text/html.js';
import type { Operator } from './operator.js';

/**
 * The pages the Teams app manifest links to (developer.websiteUrl, privacyUrl, termsOfUseUrl):
 * what SOC Bridge is, what it keeps and where, and the terms of its use. They name the MSSP that
 * runs it when OPERATOR_NAME says who that is.
 */
export const SITE_PATHS = { about: '/', privacy: '/privacy', terms: '/terms' } as const;
export type SitePage = keyof typeof SITE_PATHS;

export interface SiteContext {
  readonly operator: Operator;
  readonly mode: 'sandbox' | 'connected';
  /** How long delivery records are kept (RETENTION). */
  readonly retentionMs: number;
}

interface Section {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly items?: readonly string[];
}

interface PageContent {
  readonly title: string;
  readonly lead: readonly string[];
  readonly sections: readonly Section[];
}

const STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.6rem}li{margin:.3rem 0}a{color:#0f548c}footer{margin-top:2.5rem;color:#605e5c;font-size:.9rem}';

/** Nothing on these pages runs, loads or submits anything; the only style is the inline block above, allowed by its hash. */
export const SITE_PAGE_HEADERS = staticPageHeaders(STYLE, { 'Cache-Control': 'public, max-age=3600' });

/** One of the pages as HTML; every piece of text is escaped. */
export function renderSitePage(page: SitePage, context: SiteContext): string {
  const content = CONTENT[page](wordsFor(context));
  const sections = content.sections.map((section) =>
    [
      `<h2>${escapeHtml(section.heading)}</h2>`,
      ...(section.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`),
      ...(section.items?.length ? [`<ul>${section.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`] : []),
    ].join('\n'),
  );
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(content.title === 'SOC Bridge' ? content.title : `${content.title} · SOC Bridge`)}</title><style>${STYLE}</style></head>`,
    `<body><main><h1>${escapeHtml(content.title)}</h1>`,
    ...content.lead.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...sections,
    `</main><footer>${footer(context.operator)}</footer></body></html>`,
  ].join('\n');
}

function footer(operator: Operator): string {
  const nav = [['SOC Bridge', SITE_PATHS.about], ['Privacy', SITE_PATHS.privacy], ['Terms of use', SITE_PATHS.terms]]
    .map(([title, href]) => `<a href="${escapeHtml(href ?? '/')}">${escapeHtml(title ?? '')}</a>`)
    .join(' · ');
  const contact = operator.contact;
  if (!contact) return nav;
  const href = contact.kind === 'email' ? `mailto:${contact.value}` : contact.value;
  return `${nav}<br>Contact${operator.name ? ` ${escapeHtml(operator.name)}` : ''}: <a href="${escapeHtml(href)}">${escapeHtml(contact.value)}</a>`;
}

/** The phrases that change with who runs this SOC Bridge and how to reach them. */
interface Words {
  /** Who runs it, in full: their name, or a description of them. */
  readonly operator: string;
  /** Who runs it, again, once introduced. */
  readonly they: string;
  /** A sentence start for reaching them: "Write to … at …", "Ask your contact at …". */
  readonly reach: string;
  readonly sandbox: boolean;
  readonly retention: string;
}

function wordsFor({ operator, mode, retentionMs }: SiteContext): Words {
  const they = operator.name ?? 'the MSSP';
  const contact = operator.contact;
  const reach = !contact ? `Ask your contact at ${they}` : contact.kind === 'email' ? `Write to ${they} at ${contact.value}` : `Use ${contact.value}`;
  return { operator: operator.name ?? 'the managed security service provider (MSSP) that added it to Microsoft Teams', they, reach, sandbox: mode === 'sandbox', retention: describeDuration(retentionMs) };
}

const SANDBOX_NOTE = 'This SOC Bridge runs in sandbox mode: its customers and their alerts are emulated on the computer it runs on, and no real customer data is involved.';

const CONTENT: Readonly<Record<SitePage, (words: Words) => PageContent>> = {
  about: (w) => ({
    title: 'SOC Bridge',
    lead: [
      "SOC Bridge brings a managed security service provider's security operations centre (SOC) into Microsoft Teams. Its analysts see and act on the Microsoft Defender alerts of the customer organisations they protect from chat: list the customers and their health, search alerts, assign them, set their status, classify them and comment. New alerts arrive as cards in each customer's channel, by email, or both.",
      `This SOC Bridge is run by ${w.operator}. ${w.reach} with any question about it.`,
      ...(w.sandbox ? [SANDBOX_NOTE] : []),
    ],
    sections: [
      {
        heading: 'Getting started',
        paragraphs: ['In a chat with SOC Bridge type "help"; in a channel, @mention it first: "@SOC Bridge help". What you can do depends on the role a SOC Bridge admin gave you.'],
      },
    ],
  }),
  privacy: (w) => ({
    title: 'Privacy',
    lead: [
      `SOC Bridge is run by ${w.operator}, for its security operations: ${w.they} decides how it is used and is responsible for the information it holds. SOC Bridge reports nothing to its makers: no telemetry, no usage data.`,
      ...(w.sandbox ? [SANDBOX_NOTE] : []),
    ],
    sections: [
      {
        heading: 'What SOC Bridge reads',
        items: [
          'From each customer organisation, once one of its administrators has consented: its Microsoft Defender alerts and incidents, through Microsoft Graph (permissions SecurityAlert.Read.All and SecurityIncident.Read.All, and SecurityAlert.ReadWrite.All and SecurityIncident.ReadWrite.All where the customer allowed changes). Alerts and incidents hold what Defender recorded, such as device and user names, file names, command lines, tags and comments.',
          "From Microsoft Teams: the messages addressed to SOC Bridge (in a channel, only those that @mention it) and the card buttons clicked, with the sender's name and Microsoft Entra object id, and the email address of people who are @mentioned or who act on an alert.",
        ],
      },
      {
        heading: 'What it keeps',
        items: [
          'Who holds which SOC Bridge role: their Entra object id and name, who granted the role and when.',
          'Where it was added in Teams: conversation ids, team and channel names, group chat titles.',
          'The customer organisations: name, tenant id, domain, connection health, and the progress of their consent and access steps, with the names of the people who took them.',
          'Notification rules, including the email addresses alerts are sent to.',
          'An audit trail of every change made to an alert from SOC Bridge: who, when, which alert (its id and title), the values before and after, and comments. SOC Bridge never deletes it.',
          `Delivery records: which alert became which Teams message or email, for ${w.retention}. The content of an alert is kept only while a card or email still needs it.`,
        ],
      },
      {
        heading: 'Where',
        items: [
          `In ${w.they}'s own storage: a folder on the server SOC Bridge runs on, or ${w.they}'s PostgreSQL database. SOC Bridge's logs say what happened and why something failed; they never hold secrets, access tokens or the content of alerts.`,
          `It sends information only to Microsoft Teams (through Azure Bot Service), to post and update messages; to Microsoft Entra ID and Microsoft Graph, to read and change alerts; and to the mail server ${w.they} configured, for alert emails.`,
        ],
      },
      {
        heading: 'Your choices',
        items: [
          "A customer organisation can withdraw its consent at any time: in the Microsoft Entra admin center, under Enterprise applications, delete the application its administrator consented to. SOC Bridge can then read nothing more from it.",
          `${w.reach} to find out what SOC Bridge holds about you, or to have it corrected.`,
        ],
      },
    ],
  }),
  terms: (w) => ({
    title: 'Terms of use',
    lead: [`SOC Bridge is run by ${w.operator}, as part of its security services. The agreements between ${w.they} and its customers, and with its staff, govern its use; these terms add what is particular to SOC Bridge.`],
    sections: [
      {
        heading: 'Using SOC Bridge',
        items: [
          `Use it only for the security work ${w.they} does for its customers, within the role a SOC Bridge admin gave you.`,
          "A change you make to an alert here is made in the customer's Microsoft Defender by the SOC Bridge application, and recorded in the audit trail with your name; your comments are signed with it.",
          "Microsoft Defender remains the record of every alert. SOC Bridge posts alerts as fast as Microsoft's services and their limits allow, but cannot promise that every alert reaches a channel or a mailbox: the Defender portal shows them all.",
          `A customer administrator who grants consent lets ${w.they}'s SOC read, and if chosen change, the organisation's Defender alerts through Microsoft Graph, until the consent is withdrawn.`,
          "Microsoft Teams, Microsoft Defender, Microsoft Entra ID and Microsoft Graph are Microsoft's services, under Microsoft's terms.",
        ],
      },
      { heading: 'Questions', paragraphs: [`${w.reach}.`] },
    ],
  }),
};

const DAY_MS = 86_400_000;

/** `30 days`, `36 hours`: retention as a person reads it. */
function describeDuration(ms: number): string {
  if (ms >= 2 * DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} days`;
  const hours = Math.max(1, Math.round(ms / 3_600_000));
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
