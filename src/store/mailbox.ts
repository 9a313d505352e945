/**
 * Requests for whichever instance does a kind of work now (the delivery owner), and their answers.
 * Any instance posts; the instance doing the work takes each request once (`take`), and answers
 * the ones the poster waits for. A request taken by an instance that then dies is not handed out
 * again: senders post only what may be lost that way (work the owner would also find by itself,
 * or a question whose asker stops waiting and says so).
 */
export interface Mailbox {
  /** Stores a request; resolves with its id. */
  post(kind: string, body: unknown): Promise<string>;
  /** Up to `limit` requests nobody has taken, oldest first; each is handed to one taker only. */
  take(limit: number): Promise<MailboxRequest[]>;
  /** Stores the answer to request `id`, for its poster. */
  answer(id: string, body: unknown): Promise<void>;
  /** The answer to request `id` if there is one yet. */
  answerOf(id: string): Promise<{ readonly body: unknown } | undefined>;
}

/** One request as its taker gets it; `body` comes back as stored, the taker validates it. */
export interface MailboxRequest {
  readonly id: string;
  readonly kind: string;
  readonly body: unknown;
  /** When it was posted (ISO 8601). */
  readonly postedAt: string;
}

/** How long requests and answers are kept: a request nobody took in this time is dropped. */
export const MAILBOX_RETENTION_MS = 3_600_000;
