// `npm run instance`: one SOC Bridge instance against the shared sandbox (`npm run sandbox`), with
// the settings it wrote to DATA_DIR/sandbox-instances.env under this process's own (PORT first).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { fileURLToPath } from 'node:url';

const file = resolve(process.env.DATA_DIR || 'data', 'sandbox-instances.env');
if (!existsSync(file)) {
  console.error(`${file} does not exist: start the shared sandbox first (npm run sandbox, with DATABASE_URL set).`);
  process.exit(2);
}
const env = { ...parseEnv(readFileSync(file, 'utf8')), ...process.env };
// Each instance keeps its own files (mail drops, certificates) apart from the sandbox's.
env.DATA_DIR = resolve(process.env.DATA_DIR || 'data', `instance-${env.PORT || 3978}`);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const child = spawn(process.execPath, ['--enable-source-maps', main], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
