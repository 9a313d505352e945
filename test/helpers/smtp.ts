import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { testTls } from './tls.js';

/** One message the test SMTP server accepted. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  /** Whether the session was upgraded to TLS (STARTTLS) before the message. */
  readonly secure: boolean;
}

/**
 * A real SMTP server on loopback (smtp-server), offering STARTTLS with the test certificate. A
 * recipient's local part can ask for a refusal: `reject-550@…`, `defer-451@…`.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  readonly logins: { user: string; pass: string }[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: { user?: string; pass?: string } = {}): Promise<TestSmtpServer> {
    const tls = testTls();
    let instance: TestSmtpServer | undefined;
    const server = new SMTPServer({
      key: tls.key,
      cert: tls.cert,
      logger: false,
      disableReverseLookup: true,
      authOptional: !options.user,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        instance?.logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        if (auth.username === options.user && auth.password === options.pass) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        const refusal = /^(reject|defer)-(\d{3})@/.exec(address.address);
        if (refusal) callback(Object.assign(new Error(`${refusal[1]} requested by the test`), { responseCode: Number(refusal[2]) }));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          instance?.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
          });
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
    instance = new TestSmtpServer(server, port);
    return instance;
  }

  url(credentials = ''): string {
    return `smtp://${credentials ? `${credentials}@` : ''}localhost:${this.port}`;
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const start = Date.now();
    while (this.received.length < count) {
      if (Date.now() - start > timeoutMs) throw new Error(`expected ${count} mails, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A received message taken apart: decoded headers (several values per name possible), text and HTML parts. */
export interface ParsedMail {
  readonly headers: ReadonlyMap<string, string[]>;
  header(name: string): string | undefined;
  readonly text: string;
  readonly html: string;
}

/** Enough MIME to read what nodemailer writes: one level of multipart, quoted-printable, base64, 7bit. */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitEntity(raw);
  const parts: { headers: Map<string, string[]>; body: string }[] = [];
  const type = headers.get('content-type')?.[0] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary && type.toLowerCase().startsWith('multipart/')) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      parts.push(splitEntity(chunk.replace(/^\r?\n/, '')));
    }
  } else parts.push({ headers, body });
  const decoded = parts.map((p) => ({ type: (p.headers.get('content-type')?.[0] ?? 'text/plain').toLowerCase(), body: decodeBody(p.body, p.headers.get('content-transfer-encoding')?.[0]) }));
  return {
    headers,
    header: (name) => headers.get(name.toLowerCase())?.[0],
    text: decoded.find((p) => p.type.startsWith('text/plain'))?.body ?? '',
    html: decoded.find((p) => p.type.startsWith('text/html'))?.body ?? '',
  };
}

function splitEntity(raw: string): { headers: Map<string, string[]>; body: string } {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut === -1 ? raw : raw.slice(0, cut);
  const body = cut === -1 ? '' : raw.slice(cut).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  const cte = (encoding ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i] ?? '';
    const hex = joined.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); whitespace between adjacent words is dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
