import { randomBytes } from 'node:crypto';
import { isSocBridgeError, userFacingMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { notice, type Reply } from './reply.js';

/**
 * The one place a failure becomes words for chat: a SocBridgeError says its own user message and is
 * logged as a refusal; anything else is logged with a fresh reference the chat shows instead of details.
 */
export function describeFailure(error: unknown, logger: Logger, event: string, fields: Record<string, unknown> = {}): string {
  const reference = randomBytes(4).toString('hex');
  if (isSocBridgeError(error)) logger.warn({ event: `${event}.refused`, code: error.code, reference, ...fields }, error.message);
  else logger.error({ event: `${event}.failed`, reference, err: error, ...fields }, `${event} failed`);
  return userFacingMessage(error, reference);
}

/** A failure as a notice card ("That did not work" unless `title` says otherwise). */
export function failureNotice(error: unknown, logger: Logger, event: string, options: { title?: string; fields?: Record<string, unknown> } = {}): Reply {
  return notice({ tone: 'attention', title: options.title ?? 'That did not work', text: describeFailure(error, logger, event, options.fields) });
}
