import type { AddressInfo } from 'node:net';
import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from './log.js';
import { checkActivityShape } from './teams/activity-shape.js';
import type { Bot } from './teams/bot.js';
import { CALLBACK_PAGE_HEADERS, CONSENT_CALLBACK_PATH, renderCallbackPage, type CallbackPage } from './onboarding/callback-page.js';
import { renderSitePage, SITE_PAGE_HEADERS, SITE_PATHS, type SiteContext, type SitePage } from './site/pages.js';
import { stopWithin } from './stop-within.js';
import { answerScrape, METRICS_PATH, type MetricsSource } from './metrics/metrics-endpoint.js';

/** Teams activities are small (a message is at most ~28 KB); anything far larger is refused with 413. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDeps {
  readonly bot: Bot;
  readonly logger: Logger;
  /** Ready to take traffic: the store is loaded and shutdown has not begun. */
  /** Whether this instance can serve now (started, not stopping, its store answering). */
  readonly isReady: () => Promise<boolean>;
  /** Answers Entra's admin-consent redirect with a small HTML page. */
  readonly consentCallback?: { handle(query: unknown): Promise<CallbackPage> };
  /** Who runs SOC Bridge, for the about, privacy and terms pages the app manifest links to. */
  readonly site: SiteContext;
  /** `GET /metrics` for bearers of its token; without it the path is unknown here (404). */
  readonly metrics?: MetricsSource & { readonly token: string };
}

/**
 * The HTTP surface: `POST /api/messages` for Teams, `GET /healthz` (the process is alive),
 * `GET /readyz` (it can serve), the pages the app manifest links to (`/`, `/privacy`, `/terms`)
 * and, with METRICS_TOKEN, `GET /metrics`. Unknown routes and errors answer JSON `{code, message}`.
 */
export function createServer({ bot, logger, isReady, consentCallback, site, metrics }: ServerDeps): Server {
  const server = restify.createServer({ name: 'soc-bridge', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false, rejectUnknown: true }));

  server.post('/api/messages', async (req: Request, res: Response) => {
    const shape = checkActivityShape(req.body);
    if (!shape.ok) {
      res.send(400, { code: 'BadRequest', message: shape.reason });
      return;
    }
    await bot.adapter.process(req, res, (context) => bot.router.run(context).then(() => undefined));
  });

  if (consentCallback) {
    server.get(CONSENT_CALLBACK_PATH, async (req: Request, res: Response) => {
      const page = await consentCallback.handle(req.query);
      res.sendRaw(page.status, renderCallbackPage(page), { ...CALLBACK_PAGE_HEADERS });
    });
  }

  for (const [page, path] of Object.entries(SITE_PATHS) as [SitePage, string][]) {
    const html = renderSitePage(page, site);
    server.get(path, async (_req: Request, res: Response) => {
      res.sendRaw(200, html, { ...SITE_PAGE_HEADERS });
    });
  }

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req: Request, res: Response) => {
    if (await isReady()) res.send(200, { status: 'ready' });
    else res.send(503, { status: 'not-ready' });
  });

  if (metrics) {
    server.get(METRICS_PATH, async (req: Request, res: Response) => {
      const answer = await answerScrape(metrics, req.header('authorization'));
      res.sendRaw(answer.status, answer.body, answer.headers);
    });
  }

  server.on('after', (req: Request, res: Response) => {
    logger.debug({ event: 'http.request', method: req.method, path: req.getPath(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });
  return server;
}

/** Listens and resolves with the bound port (useful with port 0). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Stops accepting connections and waits for requests in flight, closing idle keep-alives at once;
 * after `graceMs`, drops the connections still open.
 */
export async function stopServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.server.closeIdleConnections();
  if (await stopWithin(graceMs, closed)) return;
  server.server.closeAllConnections();
  await closed;
}
