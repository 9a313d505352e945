import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Clock } from '../clock.js';
import { EmailDeliveryError, type EmailSender, type OutgoingEmail } from '../delivery/ports.js';
import type { Logger } from '../log.js';
import { messageOf } from './message.js';

export interface SmtpSenderOptions {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  readonly url: string;
  readonly from: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Connection, greeting and socket timeouts (default 10 s, 10 s, 30 s). */
  readonly timeoutsMs?: { connection: number; greeting: number; socket: number };
}

/** The transport options an SMTP URL stands for; credentials are URL-decoded. */
export function smtpOptionsOf(url: string): SMTPTransport.Options {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    secure,
    ...(parsed.username ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } } : {}),
  };
}

/**
 * Sends over SMTP with nodemailer through a small connection pool. Failures are classified for the
 * delivery queue: connection trouble and 4xx answers are transient, 5xx answers are rejections.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: nodemailer.Transporter<SMTPPool.SentMessageInfo>;

  constructor(private readonly options: SmtpSenderOptions) {
    const timeouts = options.timeoutsMs ?? { connection: 10_000, greeting: 10_000, socket: 30_000 };
    this.transport = nodemailer.createTransport({
      ...smtpOptionsOf(options.url),
      pool: true,
      maxConnections: 3,
      connectionTimeout: timeouts.connection,
      greetingTimeout: timeouts.greeting,
      socketTimeout: timeouts.socket,
    });
  }

  async send(mail: OutgoingEmail): Promise<void> {
    const message = messageOf(mail, this.options.from, this.options.clock.now());
    try {
      await this.transport.sendMail(message);
    } catch (error) {
      const classified = classifySmtpError(error);
      this.options.logger.warn({ event: 'email.failed', kind: classified.kind, code: (error as { code?: string }).code, responseCode: (error as { responseCode?: number }).responseCode }, 'email not sent');
      throw classified;
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** 5xx and malformed messages or envelopes will fail again; anything else may pass later. */
export function classifySmtpError(error: unknown): EmailDeliveryError {
  const failure = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const status = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const said = (failure.response ?? failure.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 200);
  if (status !== undefined && status >= 500) return new EmailDeliveryError('rejected', `The mail server refused the message (${status}): ${said}`);
  if (status !== undefined && status >= 400) return new EmailDeliveryError('transient', `The mail server deferred the message (${status}): ${said}`);
  if (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE' || failure.code === 'EAUTH') {
    return new EmailDeliveryError('rejected', `The message could not be sent (${failure.code}): ${said}`);
  }
  return new EmailDeliveryError('transient', `The mail server could not be reached (${failure.code ?? 'error'}): ${said}`);
}
