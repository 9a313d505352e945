#!/usr/bin/env node
// `soc-bridge config export|diff|apply <file>` (npx soc-bridge …): the package's command line.
// In a source checkout it builds dist/ first when src/ changed, as `npm start` does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const COMMANDS = { config: 'dist/cli/config.js', 'import-store': 'dist/cli/import-store.js' };
const [command, ...args] = process.argv.slice(2);
const entry = COMMANDS[command];
if (!entry) {
  process.stderr.write(`Usage: soc-bridge <${Object.keys(COMMANDS).join('|')}> …   (soc-bridge config, with no more, explains config)\n`);
  process.exit(2);
}
if (existsSync(new URL('../src', import.meta.url))) {
  const build = spawnSync(process.execPath, ['scripts/build-if-needed.mjs'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [fileURLToPath(new URL(`../${entry}`, import.meta.url)), ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
