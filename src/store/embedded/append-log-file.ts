import { createReadStream } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StoreError } from '../../errors.js';
import type { AppendLog, LogSpec } from '../storage.js';

/**
 * An append-only log as a file of JSON lines: appending costs one short write whatever the log's
 * size, and nothing rewrites it. Queries read it from the start (fine for the embedded store's
 * scale: an audit query is an admin's occasional command). A line that does not parse, e.g. the
 * tail of a write cut short by a crash, is skipped.
 */
export class AppendLogFile<T> implements AppendLog<T> {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly spec: LogSpec<T>,
  ) {}

  /** Writes `entries` as the whole log (used once, when an older store file is converted). */
  static async replace(path: string, entries: readonly unknown[]): Promise<void> {
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await rename(temp, path);
  }

  async append(entry: T): Promise<void> {
    const line = `${JSON.stringify(this.spec.schema.parse(entry))}\n`;
    const write = this.tail.then(() => appendFile(this.path, line));
    this.tail = write.catch(() => undefined);
    return write.catch((error: unknown) => {
      throw new StoreError('store.unreadable', `Cannot append to ${this.path}: ${(error as Error).message}`, error);
    });
  }

  async query({ scope, limit }: { scope?: string; limit: number }): Promise<T[]> {
    await this.tail;
    const newest: T[] = [];
    for await (const entry of this.entries()) {
      if (scope !== undefined && this.spec.scopeOf(entry) !== scope) continue;
      newest.push(entry);
      if (newest.length > limit) newest.shift();
    }
    return newest.reverse();
  }

  async count({ scope }: { scope?: string }): Promise<number> {
    await this.tail;
    let count = 0;
    for await (const entry of this.entries()) if (scope === undefined || this.spec.scopeOf(entry) === scope) count++;
    return count;
  }

  /** Every entry, oldest first (also for copying the log into another store). */
  async *entries(): AsyncGenerator<T> {
    const stream = createReadStream(this.path, { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        const parsed = this.parse(line);
        if (parsed !== undefined) yield parsed;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    } finally {
      lines.close();
      stream.destroy();
    }
  }

  private parse(line: string): T | undefined {
    try {
      const parsed = this.spec.schema.safeParse(JSON.parse(line));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
