import type { Role } from './role-schema.js';

/** The person behind a chat message or card click, with the role SOC Bridge gives them. */
export interface Actor {
  /** Entra object id (lower case); undefined when Teams did not send one. */
  readonly userId: string | undefined;
  readonly displayName: string;
  /** UPN or email when the chat layer knows it; used to attribute changes made on someone's behalf. */
  readonly email?: string;
  readonly role: Role | undefined;
  /** For a customer-admin: the customer tenant they are limited to. */
  readonly tenant?: string;
  /** True when the role comes from SOC_ADMIN_IDS rather than the store. */
  readonly bootstrap: boolean;
}

/** A user named in a command, by @mention or by Entra object id. */
export interface UserRef {
  readonly objectId: string;
  readonly displayName?: string;
}
