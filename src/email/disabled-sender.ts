import { EmailDeliveryError, type EmailSender, type OutgoingEmail } from '../delivery/ports.js';

/** Connected mode without SMTP: every email is refused with the reason, so nothing waits forever. */
export class DisabledEmailSender implements EmailSender {
  constructor(private readonly reason: string) {}

  async send(_mail: OutgoingEmail): Promise<void> {
    throw new EmailDeliveryError('rejected', this.reason);
  }
}
