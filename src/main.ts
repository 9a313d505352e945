import { startApp } from './app.js';
import { loadConfig, type AppConfig } from './config.js';
import { ConfigError, StartupError, StoreError } from './errors.js';
import { createLogger } from './log.js';

/** Exit codes: 2 = bad configuration, 1 = could not start (e.g. store unreadable). */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`SOC Bridge cannot start: the configuration is invalid.\n${error.problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n')}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  logger.info(
    { event: 'app.mode', mode: config.mode, botAuth: config.bot.kind, dataDir: config.dataDir },
    config.mode === 'sandbox'
      ? 'SANDBOX MODE: no Defender credentials configured (DEFENDER_CLIENT_ID is empty); emulated customer tenants only, nothing reaches Microsoft'
      : 'CONNECTED MODE: using the configured Defender app registration against Microsoft Entra ID and Microsoft Graph',
  );
  if (config.bot.kind === 'keyless') {
    logger.warn({ event: 'app.keyless' }, `BOT_ID is empty: inbound requests are not authenticated, so the bot listens on ${config.host} only (for the Agents Playground)`);
  }
  let app;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    if (error instanceof StoreError || error instanceof StartupError) {
      process.stderr.write(`SOC Bridge cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const shutdown = (signal: string) => {
    logger.info({ event: 'app.shutdown', signal }, `received ${signal}, shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ event: 'app.shutdown_failed', err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`SOC Bridge failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
