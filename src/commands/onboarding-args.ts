import { UsageError } from '../errors.js';
import type { RequestedAccess } from '../onboarding/store-schema.js';
import { commandSpec } from './catalog.js';
import type { CommandOf } from './command.js';
import type { UserRef } from '../roles/actor.js';
import type { Token } from './input.js';
import { GUID_PATTERN as GUID } from '../text/ids.js';
import { TENANT_NAME_MAX } from '../tenants/tenant-schema.js';

/** The token readers of the grammar, handed over by parse.ts so both read words the same way. */
export interface TokenReaders {
  wordOf(token: Token): string;
  tenantOf(token: Token): string;
  userOf(token: Token): UserRef;
}

type OnboardingCommand = 'onboard' | 'consent' | 'status' | 'offboard';
type Parsers = { readonly [N in OnboardingCommand]: (args: readonly Token[]) => CommandOf<N> };

const OPTION = /^([a-z][a-z-]*):(\S*)$/i;
const ACCESS_WORDS: Readonly<Record<string, RequestedAccess>> = {
  read: 'read',
  'read-only': 'read',
  readonly: 'read',
  readwrite: 'readwrite',
  'read-write': 'readwrite',
  write: 'readwrite',
};
const MAX_NAME = TENANT_NAME_MAX;

/** Argument parsers of the onboarding commands. */
export function onboardingParsers(read: TokenReaders): Parsers {
  const accessOf = (value: string): RequestedAccess => {
    const access = ACCESS_WORDS[value.toLowerCase()];
    if (!access) throw new UsageError(`"access:${value.slice(0, 20)}" is not an access level. Use access:read (alerts are only read) or access:readwrite (analysts may also change them).`);
    return access;
  };
  const tenantWithAccess = (name: 'consent', args: readonly Token[]): CommandOf<'consent'> => {
    const [first, ...rest] = args;
    if (!first) throw new UsageError(`Say which customer: ${commandSpec(name).usage}`);
    let access: RequestedAccess | undefined;
    for (const token of rest) {
      const option = token.kind === 'word' ? OPTION.exec(token.value) : null;
      if (!option || option[1]?.toLowerCase() !== 'access') throw new UsageError(`"${read.wordOf(token).slice(0, 40)}" is not an option here. Usage: ${commandSpec(name).usage}`);
      access = accessOf(option[2] ?? '');
    }
    return { name, tenant: read.tenantOf(first), ...(access ? { access } : {}) };
  };
  const tenantOnly = <N extends 'status' | 'offboard'>(name: N, args: readonly Token[]): CommandOf<N> => {
    const [first, ...extra] = args;
    if (!first || extra.length > 0) throw new UsageError(`Name exactly one customer: ${commandSpec(name).usage}`);
    return { name, tenant: read.tenantOf(first) } as CommandOf<N>;
  };

  return {
    onboard: (args) => {
      const usage = commandSpec('onboard').usage;
      const [first, ...rest] = args;
      if (!first) throw new UsageError(`Give the customer's tenant id or domain and its name: ${usage}`);
      const tenantRef = read.tenantOf(first);
      if (!GUID.test(tenantRef) && !tenantRef.includes('.')) {
        throw new UsageError(`"${tenantRef.slice(0, 60)}" is neither an Entra tenant id (a GUID) nor a domain. Give one of them first, then the customer's name, e.g. "onboard tailspintoys.com Tailspin Toys".`);
      }
      const words: string[] = [];
      let admin: UserRef | undefined;
      let access: RequestedAccess = 'readwrite';
      const setAdmin = (user: UserRef) => {
        if (admin) throw new UsageError('Name one customer admin only; give others the customer-admin role later with "role grant".');
        admin = user;
      };
      for (let i = 0; i < rest.length; i++) {
        const token = rest[i] as Token;
        if (token.kind === 'mention') {
          setAdmin(read.userOf(token));
          continue;
        }
        const option = OPTION.exec(token.value);
        const key = option?.[1]?.toLowerCase();
        if (!option || key === undefined) {
          words.push(token.value);
        } else if (key === 'admin') {
          const next = rest[i + 1];
          if (option[2] === '' && next?.kind === 'mention') {
            setAdmin(read.userOf(next));
            i++;
          } else {
            setAdmin(read.userOf({ kind: 'word', value: option[2] ?? '' }));
          }
        } else if (key === 'access') {
          access = accessOf(option[2] ?? '');
        } else {
          throw new UsageError(`"${token.value.slice(0, 40)}" is not an option here. Usage: ${usage}`);
        }
      }
      const displayName = words.join(' ').replace(/\s+/g, ' ').trim();
      if (!displayName) throw new UsageError(`Give the customer's name after the tenant, e.g. "onboard ${tenantRef} Tailspin Toys".`);
      if (displayName.length > MAX_NAME) throw new UsageError(`A customer name can be at most ${MAX_NAME} characters long.`);
      return { name: 'onboard', tenantRef, displayName, access, ...(admin ? { admin } : {}) };
    },
    consent: (args) => tenantWithAccess('consent', args),
    status: (args) => tenantOnly('status', args),
    offboard: (args) => tenantOnly('offboard', args),
  };
}
