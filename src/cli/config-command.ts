import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import { applyConfig, diffConfig, readConfigState, removalsOf } from '../config-as-code/apply.js';
import { formatChanges } from '../config-as-code/changes.js';
import { configFileOf } from '../config-as-code/entries.js';
import { readConfigFile, writeConfigFile, type ReadConfigFile } from '../config-as-code/file-text.js';
import { TargetRegistry } from '../delivery/targets/registry.js';
import { StoreError, UsageError, isSocBridgeError } from '../errors.js';
import type { Logger } from '../log.js';
import { EmbeddedStorage } from '../store/embedded/embedded-storage.js';
import { openStorage } from '../store/open-storage.js';
import type { Storage } from '../store/storage.js';

/** What `config` says when its arguments are wrong. */
export const CONFIG_USAGE = [
  'Usage: npm run config -- <command> <file> [--prune]      (or: npx soc-bridge config <command> <file>)',
  '  export <file>          writes the configuration to <file> (.json: JSON, else YAML; "-": YAML to standard output)',
  '  diff <file>            shows what apply would change',
  '  apply <file> [--prune] makes the store match the file; --prune lets it remove entries the file leaves out',
  'It uses the store SOC Bridge is configured with: DATABASE_URL, or the embedded store in DATA_DIR.',
].join('\n');

/** Where the command writes: results to `out`, refusals and problems to `err`. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

type Command = { name: 'export'; file: string } | { name: 'diff' | 'apply'; file: string; prune: boolean };

/**
 * `config export|diff|apply <file>`: configuration as code over the deployment's store. Exit
 * codes: 0 done, 1 refused (a bad file, removals without --prune, a store that cannot be used;
 * nothing was written), 2 bad arguments.
 */
export async function runConfigCommand(args: readonly string[], deps: { config: AppConfig; logger: Logger; clock: Clock; output: CommandOutput }): Promise<number> {
  const command = parseArgs(args);
  if (typeof command === 'string') {
    deps.output.err(`${command}\n${CONFIG_USAGE}\n`);
    return 2;
  }
  try {
    const storage = await openFor(command.name, deps);
    try {
      await run(command, storage, deps);
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    if (!isSocBridgeError(error)) throw error;
    deps.output.err(`${error.userMessage}\n${command.name === 'export' ? '' : 'Nothing was changed.\n'}`);
    return 1;
  }
}

function parseArgs(args: readonly string[]): Command | string {
  const [name, ...rest] = args;
  const prune = rest.includes('--prune');
  const files = rest.filter((a) => a !== '--prune');
  if (name !== 'export' && name !== 'diff' && name !== 'apply') return name ? `"${name}" is not a config command.` : 'Name a config command.';
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown) return `"${unknown}" is not an option${name === 'export' ? ' of export' : ''}.`;
  if (files.length !== 1 || !files[0]) return `config ${name} takes one file.`;
  if (name === 'export') return prune ? '--prune is an option of diff and apply.' : { name, file: files[0] };
  return { name, file: files[0], prune };
}

/**
 * The store as the app opens it, except that export and diff read the embedded store without its
 * lock (a consistent snapshot, even while SOC Bridge runs on it) and apply says plainly that it
 * cannot write while SOC Bridge holds the embedded store.
 */
async function openFor(name: Command['name'], deps: { config: AppConfig; logger: Logger; clock: Clock }): Promise<Storage> {
  const { config } = deps;
  if (config.database.kind === 'postgres') return openStorage(config, deps);
  if (name !== 'apply') return EmbeddedStorage.openReadOnly(config.dataDir, { clock: deps.clock });
  try {
    return await openStorage(config, deps);
  } catch (error) {
    if (!(error instanceof StoreError) || error.code !== 'store.locked') throw error;
    throw new StoreError(
      'store.locked',
      `SOC Bridge is running on the data folder ${config.dataDir}, and the embedded store serves one process: config apply cannot write while it runs. Stop SOC Bridge, apply, and start it again (export and diff work while it runs). On PostgreSQL (DATABASE_URL) apply works while SOC Bridge runs.`,
      error,
    );
  }
}

async function run(command: Command, storage: Storage, deps: { config: AppConfig; logger: Logger; clock: Clock; output: CommandOutput }): Promise<void> {
  const { output } = deps;
  if (command.name === 'export') {
    const content = configFileOf(await readConfigState(storage), deps.config.bootstrapAdminIds);
    const text = writeConfigFile(content, extname(command.file).toLowerCase() === '.json' ? 'json' : 'yaml');
    if (command.file === '-') {
      output.out(text);
      return;
    }
    await writeFile(command.file, text);
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    output.out(
      `Exported ${count(content.tenants?.length ?? 0, 'tenant')}, ${count(content.roles?.length ?? 0, 'role')}, ${count(content.links?.length ?? 0, 'linked conversation')} and ${count(content.rules?.length ?? 0, 'rule')} from ${storage.location} to ${command.file}.\n`,
    );
    return;
  }
  const file = await readFileArgument(command.file);
  const targets = TargetRegistry.build({ config: deps.config, clock: deps.clock, logger: deps.logger, ruleName: () => undefined });
  try {
    const ctx = { targets, bootstrapAdminIds: deps.config.bootstrapAdminIds, clock: deps.clock };
    if (command.name === 'diff') {
      const changes = await diffConfig(storage, file, ctx);
      const removals = removalsOf(changes).length;
      output.out(formatChanges(changes));
      if (removals > 0 && !command.prune) output.out(`apply removes the ${removals} entr${removals === 1 ? 'y' : 'ies'} marked "-" only with --prune; without it, apply refuses this file and changes nothing.\n`);
      return;
    }
    const changes = await applyConfig(storage, file, { ...ctx, prune: command.prune });
    output.out(formatChanges(changes));
    if (changes.length > 0) output.out(`Applied ${changes.length} change${changes.length === 1 ? '' : 's'} to ${storage.location}; each is in the audit trail, by config apply.\n`);
  } finally {
    targets.close();
  }
}

async function readFileArgument(path: string): Promise<ReadConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}.`);
  }
  return readConfigFile(text, basename(path));
}
