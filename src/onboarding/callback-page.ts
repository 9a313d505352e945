import { escapeHtml, staticPageHeaders } from '../text/html.js';

/** The path Entra redirects the customer admin to; PUBLIC_BASE_URL + this is registered on the app. */
export const CONSENT_CALLBACK_PATH = '/auth/consent/callback';

/** What the admin sees after Entra sends them back: an HTTP status and a few plain sentences. */
export interface CallbackPage {
  readonly status: number;
  readonly tone: 'good' | 'bad' | 'neutral';
  readonly title: string;
  readonly paragraphs: readonly string[];
}

const STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'h1{font-size:1.4rem}.good h1{color:#107c10}.bad h1{color:#a4262c}footer{margin-top:2rem;color:#605e5c;font-size:.85rem}';

/**
 * Nothing on the page runs, loads or submits anything: no scripts, no images, no forms, no
 * framing; the only style is the inline block above, allowed by its hash. The page's own URL
 * carries the consent state, so no referrer leaves it and nothing caches it.
 */
export const CALLBACK_PAGE_HEADERS = staticPageHeaders(STYLE, { 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' });

/** The page as HTML; every piece of text is escaped, whatever its origin. */
export function renderCallbackPage(page: CallbackPage): string {
  const paragraphs = page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)} · SOC Bridge</title><style>${STYLE}</style></head>`,
    `<body class="${page.tone}"><main><h1>${escapeHtml(page.title)}</h1>`,
    paragraphs,
    '</main><footer>SOC Bridge · You can close this page and return to Microsoft Teams.</footer></body></html>',
  ].join('\n');
}
