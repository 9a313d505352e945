// `npm run playground`: the Microsoft 365 Agents Playground (a local, offline Teams-like client) on
// port 56150, talking to the bot started by `npm start`. It listens on 127.0.0.1 only (see
// loopback-only.mjs): it signs in as the sandbox's bootstrap admin and asks for no password. Without
// a desktop it cannot open a browser, so it is told not to try; open http://127.0.0.1:56150 yourself.
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
const loopbackOnly = new URL('./loopback-only.mjs', import.meta.url).href;
const endpoint = process.env.BOT_ENDPOINT || `http://127.0.0.1:${port}/api/messages`;
const origin = `http://127.0.0.1:${env.TEAMSAPPTESTER_PORT}`;
const args = ['--import', loopbackOnly, bin, 'start', '--dt', '-e', endpoint, '-p', env.TEAMSAPPTESTER_PORT, '--service-url', `${origin}/_connector`];
console.log(`Agents Playground on ${origin} (this computer only) -> bot at ${endpoint}`);
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
