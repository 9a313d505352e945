import type { Clock } from '../clock.js';
import type { EmailSender } from '../delivery/ports.js';
import type { Availability } from '../delivery/targets/target-kind.js';
import type { Logger } from '../log.js';
import { DisabledEmailSender } from './disabled-sender.js';
import { EMAIL_UNCONFIGURED_REASON, type EmailConfig } from './email-config.js';
import { FileEmailSender } from './file-sender.js';
import { SmtpEmailSender } from './smtp-sender.js';

export interface EmailSetup {
  readonly sender: EmailSender;
  readonly availability: Availability;
  /** Closes pooled SMTP connections. */
  close(): void;
}

/** The email sender the configuration asks for. */
export function createEmailSender(config: EmailConfig, deps: { clock: Clock; logger: Logger }): EmailSetup {
  switch (config.kind) {
    case 'smtp': {
      const sender = new SmtpEmailSender({ url: config.url, from: config.from, clock: deps.clock, logger: deps.logger });
      return { sender, availability: { available: true, reason: '' }, close: () => sender.close() };
    }
    case 'files':
      return {
        sender: new FileEmailSender({ dir: config.dir, from: config.from, clock: deps.clock, logger: deps.logger }),
        availability: { available: true, reason: '' },
        close: () => undefined,
      };
    case 'none':
      return { sender: new DisabledEmailSender(EMAIL_UNCONFIGURED_REASON), availability: { available: false, reason: EMAIL_UNCONFIGURED_REASON }, close: () => undefined };
  }
}
