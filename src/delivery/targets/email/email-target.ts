import { z } from 'zod/v4';
import { emailOf } from '../../../email/address.js';
import { alertEmailComposer, type ComposeInput } from '../../../email/alert-email.js';
import { createEmailSender } from '../../../email/create-sender.js';
import { incidentEmailComposer, type IncidentComposeInput } from '../../../email/incident-email.js';
import { asDeliveryError } from '../../failure-policy.js';
import { GenericWorker } from '../../generic-worker.js';
import type { DeliveryTarget, EmailSender, OutgoingEmail } from '../../ports.js';
import { sampleNotice } from '../../samples.js';
import { targetKeyOf, type Availability, type BuiltTargetKind, type IncidentNotification, type TargetKind, type TargetSender } from '../target-kind.js';

const EmailTargetSchema = z.object({ kind: z.literal('email'), address: z.string().min(3) });

function addressOf(target: DeliveryTarget): string {
  return typeof target.address === 'string' ? target.address : '';
}

/**
 * Email addresses: the card's content as a mail (HTML and plain text), through SMTP, `.eml` files
 * in sandbox mode, or not at all when email is not configured (rules that need it are refused).
 */
export const EMAIL_TARGETS: TargetKind = {
  key: 'email',
  title: 'Email',
  noun: 'email',
  missing: 'sends email, but the rule has no email address. Add one with to:name@example.com',
  targetSchema: EmailTargetSchema,
  maxPerRule: 20,
  recognise: (word, key) => (word.includes('@') ? { kind: 'email', value: emailOf(word, key) } : undefined),
  keyOf: (target) => addressOf(target).toLowerCase(),
  word: (ref) => ref.value,
  build(deps) {
    const setup = createEmailSender(deps.config.email, deps);
    const from = deps.config.email.kind === 'none' ? '' : deps.config.email.from;
    return emailServices({ sender: setup.sender, composer: { ...alertEmailComposer(deps.ruleName), ...incidentEmailComposer(from, deps.ruleName) }, availability: setup.availability, close: () => setup.close() });
  },
};

/**
 * The email kind's services around a sender and a composer (the configured ones, or a test's). A
 * composer of incident mails makes rules with `group:incident` mail one thread per incident.
 */
export function emailServices(args: {
  sender: EmailSender;
  composer: { compose(input: ComposeInput): OutgoingEmail; composeIncident?(input: IncidentComposeInput): OutgoingEmail };
  availability: Availability;
  close?: () => void;
}): BuiltTargetKind {
  const composeIncident = args.composer.composeIncident?.bind(args.composer);
  // A mail thread has no later edits: incident changes are not mailed (the sender does not follow incidents).
  const sendIncidentMail = async (compose: (input: IncidentComposeInput) => OutgoingEmail, target: DeliveryTarget, n: IncidentNotification): Promise<void> => {
    if (!n.alert || n.event === 'incident.updated') return;
    await args.sender.send(compose({ event: n.event, tenant: n.tenant, incident: n.incident, alert: n.alert, options: n.options, to: EmailTargetSchema.parse(target).address, threadKey: n.threadKey, notify: n.notify, ruleId: n.ruleId }));
  };
  const sender: TargetSender = {
    async send(target, n) {
      const notice = sampleNotice(n);
      const extras = notice ? { sample: true, notices: [{ color: 'warning' as const, text: notice }] } : undefined;
      await args.sender.send(args.composer.compose({ tenant: n.tenant, alert: n.alert, options: n.options, to: EmailTargetSchema.parse(target).address, ruleId: n.ruleId, ...(extras ? { extras } : {}) }));
    },
    classify: (error) => asDeliveryError(error, 'smtp'),
    ...(composeIncident ? { sendIncident: (target: DeliveryTarget, n: IncidentNotification) => sendIncidentMail(composeIncident, target, n) } : {}),
  };
  return {
    availability: args.availability,
    rules: {
      resolve: (ref) => ref,
      check: () => undefined,
      warnings: () => [],
      describe: (refs) => refs.map((r) => r.value).join(', '),
      expand: (ref) => [{ kind: 'email', address: ref.value }],
    },
    show: addressOf,
    explain: (error) => `${error.userMessage}${error.kind === 'transient' || error.kind === 'throttled' ? ' (temporary: try again later)' : ''}`,
    configured: () => [],
    createWorker: (ctx) => {
      const tuning = ctx.tuning.senders?.email ?? {};
      const maxAttempts = tuning.maxAttempts ?? 6;
      return new GenericWorker(ctx, sender, {
        kind: 'email',
        concurrency: tuning.concurrency ?? 4,
        limits: { maxTransientAttempts: maxAttempts, maxThrottledAttempts: maxAttempts, backoff: tuning.backoff ?? { baseMs: 2000, capMs: 5 * 60_000 } },
        followsChanges: false,
        reportsHealth: false,
        targetKeyOf: (target) => targetKeyOf(EMAIL_TARGETS, target),
        show: addressOf,
      });
    },
    close: args.close ?? (() => undefined),
  };
}
