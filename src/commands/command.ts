import type { UserRef } from '../roles/actor.js';
import type { Role } from '../roles/role-schema.js';
import type { AlertFilter } from '../alerts/alert-filter.js';
import type { IncidentFilter } from '../incidents/incident-filter.js';
import type { CommandName } from './catalog.js';
import type { RoutingCommand } from './routing-commands.js';
import type { RequestedAccess } from '../onboarding/store-schema.js';
import type { OnboardRequest } from '../onboarding/consent-flow.js';
import type { StatsPeriod } from '../stats/stats-window.js';

/** A parsed, well-formed chat command. */
export type Command =
  | { readonly name: 'help'; readonly topic?: CommandName }
  | { readonly name: 'whoami' }
  | { readonly name: 'tenants' }
  | { readonly name: 'alerts'; readonly tenant: string | 'all'; readonly filter: AlertFilter; readonly top: number }
  | { readonly name: 'alert'; readonly tenant: string; readonly alertId: string }
  | { readonly name: 'stats'; readonly tenant: string | 'all'; readonly period: StatsPeriod }
  | { readonly name: 'summary'; readonly schedule: 'off' }
  | { readonly name: 'summary'; readonly schedule: 'daily'; readonly time: string; readonly timeZone: string; readonly tenants: readonly string[] }
  | { readonly name: 'incidents'; readonly tenant: string | 'all'; readonly filter: IncidentFilter; readonly top: number }
  | { readonly name: 'incident'; readonly tenant: string; readonly incidentId: string }
  | { readonly name: 'audit'; readonly tenant?: string; readonly top: number }
  | { readonly name: 'roles' }
  | { readonly name: 'role grant'; readonly user: UserRef; readonly role: Role; readonly tenant?: string }
  | { readonly name: 'role revoke'; readonly user: UserRef }
  | { readonly name: 'soc-channel' }
  | RoutingCommand
  | ({ readonly name: 'onboard' } & OnboardRequest)
  | { readonly name: 'consent'; readonly tenant: string; readonly access?: RequestedAccess }
  | { readonly name: 'status'; readonly tenant: string }
  | { readonly name: 'offboard'; readonly tenant: string };

export type CommandOf<N extends CommandName> = Extract<Command, { name: N }>;
