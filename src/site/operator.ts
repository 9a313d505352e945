import type { ConfigProblem } from '../errors.js';
import { isEmailAddress } from '../email/address.js';

/** Who runs this SOC Bridge (the MSSP deploying it), as its web pages name it. */
export interface Operator {
  readonly name?: string;
  /** Where privacy questions go: a mailbox or a web page. */
  readonly contact?: { readonly kind: 'email' | 'url'; readonly value: string };
}

const NAME_MAX = 100;

/** OPERATOR_NAME and OPERATOR_CONTACT (both optional) into an Operator. */
export function resolveOperator(vars: { OPERATOR_NAME?: string | undefined; OPERATOR_CONTACT?: string | undefined }, problems: ConfigProblem[]): Operator {
  const name = vars.OPERATOR_NAME;
  if (name !== undefined && name.length > NAME_MAX) {
    problems.push({ variable: 'OPERATOR_NAME', expected: `must be at most ${NAME_MAX} characters: the name of the organisation that runs SOC Bridge, e.g. Contoso Security Services` });
  }
  const contact = vars.OPERATOR_CONTACT;
  if (contact === undefined) return name ? { name } : {};
  const kind = isEmailAddress(contact) ? 'email' : isHttpsUrl(contact) ? 'url' : undefined;
  if (!kind) {
    problems.push({ variable: 'OPERATOR_CONTACT', expected: 'must be an email address (privacy@mssp.example) or an https URL (https://mssp.example/privacy)' });
    return name ? { name } : {};
  }
  return { ...(name ? { name } : {}), contact: { kind, value: contact } };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
