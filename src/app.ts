import type { Server } from 'restify';
import { systemClock, type Clock } from './clock.js';
import type { Services } from './commands/context.js';
import type { AppConfig } from './config.js';
import { ConversationRegistry } from './conversations/conversation-registry.js';
import type { Logger } from './log.js';
import { RoleService } from './roles/role-service.js';
import { createServer, listen, stopServer } from './server.js';
import { LowdbStore } from './store/lowdb-store.js';
import type { Store } from './store/store.js';
import { createBot } from './teams/bot.js';

export interface RunningApp {
  readonly port: number;
  readonly url: string;
  readonly store: Store;
  readonly services: Services;
  /** Stops taking work, finishes requests in flight, flushes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Composition root: config → store → services → Teams edge → HTTP server. */
export async function startApp(config: AppConfig, deps: { logger: Logger; clock?: Clock }): Promise<RunningApp> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const store = await LowdbStore.open(config.dataDir);
  const services: Services = {
    roles: new RoleService({ store, clock, logger, bootstrapAdminIds: config.bootstrapAdminIds }),
    conversations: new ConversationRegistry({ store, clock, logger }),
  };
  const bot = createBot({ config, services, clock, logger });
  let ready = false;
  const server: Server = createServer({ bot, logger, isReady: () => ready });
  const port = await listen(server, config.port, config.host);
  ready = true;
  logger.info({ event: 'app.listening', host: config.host, port, storeFile: store.path }, `SOC Bridge listening on http://${config.host}:${port}/api/messages`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      await stopServer(server, 10_000);
      await store.close();
      logger.info({ event: 'app.stopped' }, 'SOC Bridge stopped');
    })();
    return stopping;
  };
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { port, url: `http://${hostInUrl === '0.0.0.0' ? '127.0.0.1' : hostInUrl}:${port}`, store, services, stop };
}
