import { afterAll, beforeAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/store/postgres/database-config.js';

export type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

/** A database of its own on the test PostgreSQL server (test/global-setup.mjs starts it). */
export interface TestDatabase {
  readonly name: string;
  /** Its URL, superuser credentials included. */
  readonly url: string;
  /** A DATABASE_URL configuration for it (no TLS on loopback, a small pool). */
  readonly config: PostgresConfig;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** The URL of the test server's `postgres` database; throws (failing the test) when there is none. */
export function testServerUrl(): string {
  const failure = process.env.SOC_BRIDGE_TEST_POSTGRES_ERROR;
  if (failure) throw new Error(`The test PostgreSQL server did not start, so this test cannot run: ${failure}`);
  const url = process.env.SOC_BRIDGE_TEST_POSTGRES_URL;
  if (!url) throw new Error('No test PostgreSQL server: run the tests with `npm test`, whose jest set-up starts one');
  return url;
}

async function asServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a name no other test uses. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await asServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    config: { kind: 'postgres', url: url.toString(), tls: 'disable', caFile: undefined, poolSize: 5 },
    drop: () => asServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A fresh database for this test file: created before its first test, dropped after its last. */
export function useTestDatabase(): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('the test database was not created (see the error of beforeAll)');
    return database;
  };
}
