// `npm run playground`: the Microsoft 365 Agents Playground (a local, offline Teams-like client) on
// port 56150, talking to the bot started by `npm start`. Without a desktop it cannot open a browser,
// so it is told not to try; open http://localhost:56150 yourself.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const port = process.env.PORT || '3978';
const env = {
  ...process.env,
  TEAMSAPPTESTER_PORT: process.env.TEAMSAPPTESTER_PORT || '56150',
  M365_AGENTS_PLAYGROUND_CONFIG_PATH: process.env.M365_AGENTS_PLAYGROUND_CONFIG_PATH || '.m365agentsplayground.yml',
};
if (!process.env.DISPLAY && !process.env.TEAMSAPPTESTER_BROWSER) env.TEAMSAPPTESTER_BROWSER = 'none';
const bin = join('node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const endpoint = process.env.BOT_ENDPOINT || `http://127.0.0.1:${port}/api/messages`;
const args = [bin, 'start', '--dt', '-e', endpoint, '-p', env.TEAMSAPPTESTER_PORT];
console.log(`Agents Playground on http://localhost:${env.TEAMSAPPTESTER_PORT} -> bot at ${endpoint}`);
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
