import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { MAILBOX_RETENTION_MS, type Mailbox, type MailboxRequest } from './mailbox.js';

interface Kept {
  request: MailboxRequest;
  taken: boolean;
  answer?: { body: unknown };
}

/** A mailbox within the embedded store's single process (poster and taker are the same instance). */
export class InProcessMailbox implements Mailbox {
  private readonly requests = new Map<string, Kept>();

  constructor(private readonly clock: Clock) {}

  async post(kind: string, body: unknown): Promise<string> {
    this.forgetOld();
    const id = randomUUID();
    // Stored as JSON, as a database would: the taker never shares the poster's objects.
    this.requests.set(id, { request: { id, kind, body: JSON.parse(JSON.stringify(body ?? null)), postedAt: this.clock.now().toISOString() }, taken: false });
    return id;
  }

  async take(limit: number): Promise<MailboxRequest[]> {
    const taken: MailboxRequest[] = [];
    for (const kept of this.requests.values()) {
      if (taken.length >= limit) break;
      if (kept.taken) continue;
      kept.taken = true;
      taken.push(kept.request);
    }
    return taken;
  }

  async answer(id: string, body: unknown): Promise<void> {
    const kept = this.requests.get(id);
    if (kept) kept.answer = { body: JSON.parse(JSON.stringify(body ?? null)) };
  }

  async answerOf(id: string): Promise<{ body: unknown } | undefined> {
    return this.requests.get(id)?.answer;
  }

  private forgetOld(): void {
    const oldest = this.clock.nowMs() - MAILBOX_RETENTION_MS;
    for (const [id, kept] of this.requests) if (Date.parse(kept.request.postedAt) < oldest) this.requests.delete(id);
  }
}
