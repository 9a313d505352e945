// `npm start`: runs the compiled bot. In sandbox mode it first makes sure the loopback certificate of
// the built-in Entra and Graph emulators exists and is trusted, which Node only allows through
// NODE_EXTRA_CA_CERTS at process start; hence this small launcher around dist/main.js.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDevCertificate } from './dev-certificate.mjs';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const env = { ...process.env };
try {
  const { loadConfig, sandboxTlsDir } = await import('../dist/config.js');
  const config = loadConfig();
  if (config.mode === 'sandbox') {
    const { certPath } = await ensureDevCertificate(sandboxTlsDir(config));
    env.NODE_EXTRA_CA_CERTS = certPath;
  }
} catch {
  // An invalid configuration is reported by main itself, with exit code 2.
}

const child = spawn(process.execPath, ['--enable-source-maps', main], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
