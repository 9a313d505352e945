/**
 * The one error hierarchy. Every error the product raises on purpose is a SocBridgeError with a
 * stable `code` (for logs, tests and metrics) and a `userMessage` that is safe to show in chat
 * (delivery failures included: ChatDeliveryError and EmailDeliveryError are DeliveryErrors).
 * Anything else is a bug: chat gets a generic sentence and a reference, the log gets the details.
 */
export type ErrorCode =
  | 'config.invalid'
  | 'startup.failed'
  | 'store.unreadable'
  | 'store.corrupt'
  | 'store.locked'
  | 'store.unavailable'
  /** A write of work only a lease holder may do, refused because the writer no longer holds the lease. */
  | 'store.fenced'
  | 'command.usage'
  | 'access.denied'
  | 'not-found'
  | 'conflict'
  /** The customer's consent lacks a Graph permission a feature needs (granted before the feature existed). */
  | 'consent.permission-missing'
  | 'external.rejected'
  | 'external.unreachable'
  /** A post or edit in Teams did not go through (ChatDeliveryError, with what to do about it). */
  | 'chat.delivery-failed'
  /** An email was not accepted for delivery (EmailDeliveryError: transient or rejected). */
  | 'email.delivery-failed'
  /** A webhook endpoint did not take an event (a DeliveryError from the webhook target). */
  | 'webhook.delivery-failed';

export class SocBridgeError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;

  constructor(code: ErrorCode, userMessage: string, options?: { cause?: unknown; detail?: string }) {
    super(options?.detail ?? userMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.userMessage = userMessage;
  }
}

/** One bad setting: the variable's name and what it should be. */
export interface ConfigProblem {
  variable: string;
  expected: string;
}

/** Start-up configuration is wrong; main prints each problem on its own line and exits 2. */
export class ConfigError extends SocBridgeError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `${p.variable}: ${p.expected}`);
    super('config.invalid', `Invalid configuration: ${lines.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * The store cannot be used: its file cannot be read or holds invalid data (it is never overwritten
 * then), another process holds the data folder, or the database cannot be reached or is too new.
 */
export class StoreError extends SocBridgeError {
  constructor(code: 'store.unreadable' | 'store.corrupt' | 'store.locked' | 'store.unavailable' | 'store.fenced', message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

/** Something the process needs before it can serve is missing (e.g. the sandbox certificate). */
export class StartupError extends SocBridgeError {
  constructor(message: string) {
    super('startup.failed', message);
  }
}

/** A chat command or card action was malformed; the message says which part and what is allowed. */
export class UsageError extends SocBridgeError {
  constructor(userMessage: string) {
    super('command.usage', userMessage);
  }
}

/** The user's role does not allow this; nothing was done. */
export class AccessDeniedError extends SocBridgeError {
  constructor(userMessage: string) {
    super('access.denied', userMessage);
  }
}

export class NotFoundError extends SocBridgeError {
  constructor(userMessage: string) {
    super('not-found', userMessage);
  }
}

/** The request clashes with the current state (e.g. an alert changed meanwhile). */
export class ConflictError extends SocBridgeError {
  constructor(userMessage: string) {
    super('conflict', userMessage);
  }
}

/** The customer tenant did not grant a permission this needs; an administrator of the customer must consent again. */
export class PermissionMissingError extends SocBridgeError {
  constructor(
    readonly permission: string,
    userMessage: string,
  ) {
    super('consent.permission-missing', userMessage);
  }
}

export type ExternalService = 'graph' | 'entra' | 'teams' | 'smtp' | 'webhook';

/** An outside service answered and said no. */
export class ExternalRejectedError extends SocBridgeError {
  readonly service: ExternalService;
  readonly status: number;
  readonly serviceCode: string | undefined;
  readonly requestId: string | undefined;

  constructor(args: {
    service: ExternalService;
    status: number;
    userMessage: string;
    serviceCode?: string;
    requestId?: string;
    detail?: string;
  }) {
    super('external.rejected', args.userMessage, { detail: args.detail });
    this.service = args.service;
    this.status = args.status;
    this.serviceCode = args.serviceCode;
    this.requestId = args.requestId;
  }
}

/** An outside service did not answer (network error, timeout, retries exhausted on 5xx/429). */
export class ExternalUnreachableError extends SocBridgeError {
  readonly service: ExternalService;

  constructor(service: ExternalService, userMessage: string, cause?: unknown) {
    super('external.unreachable', userMessage, { cause });
    this.service = service;
  }
}

/** What a notification target's failure calls for; the failure policy decides from it. */
export type DeliveryFailureKind =
  /** The target said "too many" (429, or 408): wait `retryAfterMs` (or back off) and try again. */
  | 'throttled'
  /** 5xx, network errors, timeouts: back off and try again. */
  | 'transient'
  /** The place is gone (Teams: the bot was removed or the channel deleted): stop sending there. */
  | 'gone'
  /** Refused for good (400, a mail server's 5xx, a bad address): retrying will not help. */
  | 'rejected';

const DELIVERY_CODES: Readonly<Record<ExternalService, ErrorCode>> = {
  teams: 'chat.delivery-failed',
  smtp: 'email.delivery-failed',
  webhook: 'webhook.delivery-failed',
  graph: 'external.unreachable',
  entra: 'external.unreachable',
};

/**
 * A message did not reach a notification target (a Teams conversation, a mailbox, a webhook),
 * classified so delivery knows whether to retry, wait, or give up. Its message says what the
 * target answered, in words an admin can act on (it is shown by `rule test`).
 */
export class DeliveryError extends SocBridgeError {
  readonly service: ExternalService;
  readonly kind: DeliveryFailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  /** `message` is what the target said (logs, delivery records); `userMessage` defaults to it. */
  constructor(args: {
    service: ExternalService;
    kind: DeliveryFailureKind;
    message: string;
    userMessage?: string;
    status?: number | undefined;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(DELIVERY_CODES[args.service], args.userMessage ?? args.message, { cause: args.cause, detail: args.message });
    this.service = args.service;
    this.kind = args.kind;
    this.status = args.status;
    this.retryAfterMs = args.retryAfterMs;
  }
}

export function isSocBridgeError(error: unknown): error is SocBridgeError {
  return error instanceof SocBridgeError;
}

/** Text for chat: the error's own user message, or a generic sentence with a log reference. */
export function userFacingMessage(error: unknown, reference: string): string {
  if (isSocBridgeError(error)) return error.userMessage;
  return `Something went wrong on our side. The SOC Bridge operators can find the details under reference ${reference}.`;
}
