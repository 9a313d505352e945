import { createHash } from 'node:crypto';

/**
 * Response headers of a static page on which nothing runs, loads or submits anything (no scripts,
 * images, forms or framing): its one inline `style` block is allowed by its hash, no referrer
 * leaves it. `extra` adds or overrides headers (caching, framing).
 */
export function staticPageHeaders(style: string, extra: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const styleHash = createHash('sha256').update(style).digest('base64');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  };
}

/** Text made safe for HTML content and quoted attributes: every character that could end either is an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=/]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
