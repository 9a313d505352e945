import { parseConfig } from '../../src/config.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';

/** The problems parseConfig reports for `env` (working folder /srv/soc); fails if it reports none. */
export function configProblems(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    parseConfig(env, '/srv/soc');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
