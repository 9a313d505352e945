import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { startLoopbackServer, type RunningServer } from '../../src/emulator/http-kit.js';
import { testTls } from './tls.js';

/** One request as the receiver got it: the raw body is what was signed. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The status the receiver answered. */
  readonly status: number;
  /** When it arrived (it is recorded once answered). */
  readonly at: number;
}

/** How the receiver answers a path: a fixed status, or one per request in turn (the last repeats). */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Answer only after this long (a slow endpoint). */
  readonly delayMs?: number;
}

/**
 * A webhook receiver over HTTPS on loopback (the test run's certificate), as a SIEM or SOAR intake
 * would be: it records every request and answers as each path is told to.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers = new Map<string, Answer[]>();

  private constructor(private server: RunningServer | undefined) {}

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(undefined);
    receiver.server = await startLoopbackServer((req, res) => void receiver.handle(req, res), { tls: testTls() });
    return receiver;
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    if (!this.server) throw new Error('the receiver is not running');
    return `${this.server.url}${path}`;
  }

  /** Answers requests to `path` with these, one per request; the last keeps answering. */
  answer(path: string, ...answers: Answer[]): void {
    this.answers.set(path, answers);
  }

  /** Requests to `path`, in order. */
  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** The JSON bodies of the requests to `path` that were answered 2xx. */
  accepted<T = Record<string, unknown>>(path: string): T[] {
    return this.at(path)
      .filter((r) => r.status >= 200 && r.status < 300)
      .map((r) => JSON.parse(r.body) as T);
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'https://receiver.invalid').pathname;
    const queue = this.answers.get(path) ?? [{ status: 200 }];
    const answer = (queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200 };
    const at = Date.now();
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer.status, at });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{}');
  }
}
