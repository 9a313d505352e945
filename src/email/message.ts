import type Mail from 'nodemailer/lib/mailer/index.js';
import { EmailDeliveryError, type OutgoingEmail } from '../delivery/ports.js';
import { isEmailAddress } from './address.js';

/**
 * One place turns an OutgoingEmail into nodemailer's message options, for both senders. The
 * recipient must be a plain address and the subject one line: nothing from an alert can add a
 * header. Automated-mail headers keep out-of-office replies away from the sender.
 */
export function messageOf(mail: OutgoingEmail, from: string, date: Date): Mail.Options {
  if (!isEmailAddress(mail.to)) throw new EmailDeliveryError('rejected', `"${mail.to.slice(0, 80)}" is not a single email address`);
  const thread = mail.thread;
  if (thread && ![thread.messageId, thread.inReplyTo].every((id) => id === undefined || MESSAGE_ID.test(id))) throw new EmailDeliveryError('rejected', 'a mail thread id is not a valid Message-ID');
  return {
    ...(thread ? { messageId: thread.messageId, ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo, references: [thread.inReplyTo] } : {}) } : {}),
    from,
    to: mail.to,
    subject: oneLine(mail.subject).slice(0, 250),
    text: mail.text,
    html: mail.html,
    date,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** `<local@domain>` of letters, digits and a few marks: no header can be smuggled through one. */
const MESSAGE_ID = /^<[A-Za-z0-9._-]+@[A-Za-z0-9.-]+>$/;

/** Control characters (CR and LF above all) and bidirectional overrides become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
}
