import { loadConfig, type AppConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/**
 * The configuration a command-line tool runs with, or undefined after saying on stderr what is
 * wrong with it (the tool then exits 2).
 */
export function loadCliConfig(): AppConfig | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`The configuration is invalid:\n${error.problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n')}\n`);
    return undefined;
  }
}
