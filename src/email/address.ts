import { UsageError } from '../errors.js';

/** Printable ASCII before and after the @, no spaces, quotes, brackets or separators: nothing a mail header could misread. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

/** Whether `value` looks like one email address we can put in a To header. */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** One email address, domain lower-cased; refused with the reason otherwise (`key` names the field). */
export function emailOf(raw: string, key = 'to'): string {
  const value = raw.trim();
  if (!isEmailAddress(value)) throw new UsageError(`${key}: "${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is not an email address (name@example.com, without display names or brackets).`);
  const at = value.lastIndexOf('@');
  return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
}
