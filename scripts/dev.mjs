// `npm run dev`: recompiles on every change in src/ and restarts the bot.
import { spawn, spawnSync } from 'node:child_process';

const tsc = ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'];
const first = spawnSync(process.execPath, tsc, { stdio: 'inherit' });
if (first.status !== 0) console.error('The first build failed; fix the errors above and save again.');
const children = [
  spawn(process.execPath, [...tsc, '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch-path=dist', '--watch-preserve-output', 'scripts/start.mjs'], { stdio: 'inherit' }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
