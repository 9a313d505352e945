// `npm run sandbox`: builds if needed, makes sure the loopback certificate of the emulators exists
// (instances trust it through NODE_EXTRA_CA_CERTS, written to their settings file), then runs the
// shared sandbox (dist/cli/sandbox.js).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDevCertificate } from './dev-certificate.mjs';

const entry = fileURLToPath(new URL('../dist/cli/sandbox.js', import.meta.url));
try {
  const { loadConfig, sandboxTlsDir } = await import('../dist/config.js');
  await ensureDevCertificate(sandboxTlsDir(loadConfig()));
} catch {
  // An invalid configuration is reported by the sandbox itself, with exit code 2.
}
const child = spawn(process.execPath, ['--enable-source-maps', entry], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
