import { systemClock } from '../clock.js';
import { createLogger } from '../log.js';
import { loadCliConfig } from './cli-config.js';
import { runConfigCommand } from './config-command.js';

/**
 * `npm run config -- export|diff|apply <file>` (and `soc-bridge config …`): configuration as code.
 * Exit codes: 0 done, 1 refused (nothing written), 2 bad arguments or configuration.
 */
async function main(args: readonly string[]): Promise<number> {
  const config = loadCliConfig();
  if (!config) return 2;
  // Log lines go to standard error: standard output is the command's result (or the exported file).
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, destination: process.stderr });
  return runConfigCommand(args, { config, logger, clock: systemClock, output: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) } });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`config failed: ${error instanceof Error ? error.message : String(error)}\nNothing was changed.\n`);
    process.exitCode = 1;
  },
);
