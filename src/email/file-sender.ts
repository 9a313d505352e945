import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Clock } from '../clock.js';
import { EmailDeliveryError, type EmailSender, type OutgoingEmail } from '../delivery/ports.js';
import type { Logger } from '../log.js';
import { messageOf } from './message.js';

/**
 * Sandbox mode without SMTP: each email becomes an RFC 5322 `.eml` file in `dir`, written to a
 * temporary name and renamed, so a reader never sees half a message. Any mail client opens them.
 */
export class FileEmailSender implements EmailSender {
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  private ready: Promise<unknown> | undefined;

  constructor(private readonly options: { dir: string; from: string; clock: Clock; logger: Logger }) {}

  async send(mail: OutgoingEmail): Promise<void> {
    await this.write(mail);
  }

  /** Writes the message; returns the `.eml` file's path. */
  async write(mail: OutgoingEmail): Promise<string> {
    const now = this.options.clock.now();
    const info = await this.composer.sendMail(messageOf(mail, this.options.from, now));
    const name = `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}.eml`;
    const path = join(this.options.dir, name);
    const temporary = join(this.options.dir, `.${name}.tmp`);
    try {
      this.ready ??= mkdir(this.options.dir, { recursive: true });
      await this.ready;
      await writeFile(temporary, info.message as Buffer);
      await rename(temporary, path);
    } catch (error) {
      this.ready = undefined;
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new EmailDeliveryError('transient', `Could not write ${path}: ${(error as Error).message}`);
    }
    this.options.logger.info({ event: 'email.written', file: name }, 'sandbox email written as a file');
    return path;
  }
}
