import { join } from 'node:path';
import type { ConfigProblem } from '../errors.js';

/** How email goes out: SMTP, `.eml` files in the data folder (sandbox), or not at all. */
export type EmailConfig =
  | { readonly kind: 'smtp'; readonly url: string; readonly from: string }
  | { readonly kind: 'files'; readonly dir: string; readonly from: string }
  | { readonly kind: 'none' };

/** The sender of sandbox `.eml` files when MAIL_FROM is not set. */
export const SANDBOX_MAIL_FROM = 'SOC Bridge <soc-bridge@sandbox.invalid>';

const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;
const NAMED = /^([^<>"\r\n]{1,80}|"[^"\r\n]{1,80}")\s*<([^<>\s]+)>$/;

/** Whether `value` is a plain email address, `name@domain.example`. */
export function isEmailAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** Whether MAIL_FROM is `address` or `Display Name <address>`. */
export function isSenderAddress(value: string): boolean {
  const named = NAMED.exec(value);
  return ADDRESS.test(named ? (named[2] ?? '') : value);
}

/**
 * SMTP_URL and MAIL_FROM (already syntax-checked) into an EmailConfig. With SMTP_URL, MAIL_FROM is
 * required; without it, sandbox mode writes files and connected mode sends no email (rules that
 * need email are then refused, with this reason).
 */
export function resolveEmail(vars: { SMTP_URL?: string | undefined; MAIL_FROM?: string | undefined }, mode: 'sandbox' | 'connected', dataDir: string, problems: ConfigProblem[]): EmailConfig {
  const from = vars.MAIL_FROM;
  if (from !== undefined && !isSenderAddress(from)) {
    problems.push({ variable: 'MAIL_FROM', expected: 'must be an email address, optionally with a display name, e.g. SOC Bridge <soc-bridge@mssp.example>' });
  }
  if (vars.SMTP_URL) {
    if (!from) problems.push({ variable: 'MAIL_FROM', expected: 'is required when SMTP_URL is set: the sender of alert emails, e.g. SOC Bridge <soc-bridge@mssp.example>' });
    return { kind: 'smtp', url: vars.SMTP_URL, from: from ?? '' };
  }
  if (mode === 'sandbox') return { kind: 'files', dir: join(dataDir, 'mail'), from: from ?? SANDBOX_MAIL_FROM };
  if (from) problems.push({ variable: 'MAIL_FROM', expected: 'is set but SMTP_URL is empty; set SMTP_URL too, or unset MAIL_FROM' });
  return { kind: 'none' };
}

/** Why email is unavailable, in words for the admin who asked for it. */
export const EMAIL_UNCONFIGURED_REASON = 'email is not configured: set SMTP_URL and MAIL_FROM (see the configuration table in README.md) and restart SOC Bridge.';
