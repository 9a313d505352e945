import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { StoreError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { Database } from '../../../src/store/postgres/database.js';
import { useTestDatabase, type PostgresConfig } from '../../helpers/postgres.js';

const testDatabase = useTestDatabase();
let db: Database;
beforeAll(async () => {
  db = await Database.open(testDatabase().config, silentLogger);
  await db.query('CREATE TABLE notes (id integer PRIMARY KEY, text text NOT NULL)');
});
afterAll(async () => {
  await db?.close();
});

/** The testing database's configuration with its URL changed by `edit`. */
function withUrl(edit: (url: URL) => void): PostgresConfig {
  const url = new URL(testDatabase().url);
  edit(url);
  return { ...testDatabase().config, url: url.toString() };
}

async function openFailure(config: PostgresConfig): Promise<StoreError> {
  const error = await Database.open(config, silentLogger).then(
    (opened) => opened.close().then(() => new Error('expected the database not to open')),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('store.unavailable');
  return error as StoreError;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Database', () => {
  it('commits a transaction as a whole', async () => {
    const ids = await db.withTransaction(async (tx) => {
      await tx.query('INSERT INTO notes VALUES (1, $1)', ['one']);
      await tx.query('INSERT INTO notes VALUES (2, $1)', ['two']);
      return (await tx.query<{ id: number }>('SELECT id FROM notes ORDER BY id')).rows.map((r) => r.id);
    });
    expect(ids).toEqual([1, 2]);
    expect((await db.query('SELECT count(*)::integer AS n FROM notes')).rows[0]).toEqual({ n: 2 });
  });

  it('rolls back everything when the work throws, and rethrows its error', async () => {
    await expect(
      db.withTransaction(async (tx) => {
        await tx.query('INSERT INTO notes VALUES (3, $1)', ['three']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(db.withTransaction((tx) => tx.query('INSERT INTO notes VALUES (1, $1)', ['again']))).rejects.toMatchObject({ code: '23505' });
    expect((await db.query<{ id: number }>('SELECT id FROM notes ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
    // The pool still works after both rollbacks.
    expect((await db.withTransaction((tx) => tx.query('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
  });

  it('describes itself without the password, and closes twice without complaint', async () => {
    const other = await Database.open(testDatabase().config, silentLogger);
    expect(other.target).toBe(`postgresql://postgres@${new URL(testDatabase().url).host}/${testDatabase().name}`);
    await other.close();
    await other.close();
  });
});

describe('Database.open refuses with one sentence, never the password', () => {
  it('when nothing listens at the address', async () => {
    const port = await closedPort();
    const error = await openFailure(withUrl((url) => (url.port = String(port))));
    expect(error.message).toBe(`Cannot reach PostgreSQL at 127.0.0.1:${port}: the connection was refused; check that the server runs and listens there (DATABASE_URL).`);
  });

  it('when the password is wrong', async () => {
    const config = withUrl((url) => (url.password = 'Wr0ng-S3cret'));
    const error = await openFailure(config);
    expect(error.message).toBe(`PostgreSQL at ${new URL(config.url).host} refused the password of user "postgres" (DATABASE_URL).`);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('Wr0ng-S3cret');
  });

  it('when the database does not exist', async () => {
    const config = withUrl((url) => (url.pathname = '/no_such_database'));
    const error = await openFailure(config);
    expect(error.message).toBe(`The database "no_such_database" does not exist on PostgreSQL at ${new URL(config.url).host}: create it or fix DATABASE_URL.`);
  });

  it('when TLS is asked of a server that offers none', async () => {
    const config: PostgresConfig = { ...testDatabase().config, tls: 'require' };
    const error = await openFailure(config);
    expect(error.message).toBe(`PostgreSQL at ${new URL(config.url).host} does not offer TLS, which DATABASE_SSL=require asks for; set DATABASE_SSL=disable only if the network to it is private.`);
  });
});
