import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CALLBACK_PAGE_HEADERS, renderCallbackPage } from '../../src/onboarding/callback-page.js';

describe('the consent callback page', () => {
  it('escapes every piece of text', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" \'single\'';
    const html = renderCallbackPage({ status: 200, tone: 'bad', title: hostile, paragraphs: [hostile] });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('"quoted"');
    expect(html).toContain('&#60;script&#62;');
  });

  it('allows only its own inline style, and no scripts, frames, forms or referrers', () => {
    const html = renderCallbackPage({ status: 200, tone: 'good', title: 'Connected', paragraphs: ['Done.'] });
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = CALLBACK_PAGE_HEADERS['Content-Security-Policy'] ?? '';
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(CALLBACK_PAGE_HEADERS['Referrer-Policy']).toBe('no-referrer');
    expect(CALLBACK_PAGE_HEADERS['Cache-Control']).toBe('no-store');
    expect(html).not.toMatch(/<script|<iframe|<form/);
  });
});
