import { createReadStream } from 'node:fs';
import { appendFile, rename, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StoreError } from '../../errors.js';
import type { RecordChange, RecordSet } from '../storage.js';

/** Compact when the file holds this many times more changes than live records (and at least MIN_COMPACT_LINES changes). */
const COMPACT_RATIO = 3;
const MIN_COMPACT_LINES = 5_000;

/**
 * A record set as a file of change batches, one JSON line per batch, so a batch is stored whole or
 * not at all (a line cut short by a crash is skipped on load). Writing appends; the file is
 * compacted — rewritten with only the live records, atomically — once it holds several times more
 * changes than records, so its size and the cost of a write stay proportional to what is live.
 */
export class RecordSetFile implements RecordSet {
  private tail: Promise<void> = Promise.resolve();
  private changesInFile = 0;
  /** Live records at the last replay: compaction is due when the file holds several times that many changes. */
  private liveAtReplay = 0;
  private counted = false;

  constructor(readonly path: string) {}

  /** Writes `records` as the whole set (used once, when an older store file is converted). */
  static async replace(path: string, records: readonly RecordChange[]): Promise<void> {
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, records.length ? `${JSON.stringify({ b: records.map(pack) })}\n` : '');
    await rename(temp, path);
  }

  async *load(): AsyncGenerator<RecordChange> {
    await this.tail;
    const live = await this.replay();
    // The replay counted the file: the first write after loading need not read it again.
    this.counted = true;
    for (const [id, record] of live) {
      const [section, key] = unpackId(id);
      yield { section, key, record };
    }
  }

  write(batch: readonly RecordChange[]): Promise<void> {
    if (batch.length === 0) return this.tail;
    const line = `${JSON.stringify({ b: batch.map(pack) })}\n`;
    const work = this.tail.then(async () => {
      await appendFile(this.path, line);
      this.changesInFile += batch.length;
      if (!this.counted) await this.count();
      if (this.changesInFile > Math.max(MIN_COMPACT_LINES, COMPACT_RATIO * this.liveAtReplay)) await this.compact();
    });
    this.tail = work.catch(() => undefined);
    return work.catch((error: unknown) => {
      throw new StoreError('store.unreadable', `Cannot write ${this.path}: ${(error as Error).message}`, error);
    });
  }

  /** Rewrites the file with only its live records. */
  async compact(): Promise<void> {
    const live = await this.replay();
    const records = [...live].map(([id, record]) => {
      const [section, key] = unpackId(id);
      return { section, key, record };
    });
    await RecordSetFile.replace(this.path, records);
    this.changesInFile = records.length;
  }

  private async count(): Promise<void> {
    await this.replay();
    this.counted = true;
  }

  /** Replays every batch; returns the live records by `section\0key`, and counts the changes read. */
  private async replay(): Promise<Map<string, unknown>> {
    const live = new Map<string, unknown>();
    let changes = 0;
    const exists = await stat(this.path).then(
      () => true,
      () => false,
    );
    if (!exists) return live;
    const stream = createReadStream(this.path, { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const batch = parseBatch(line);
        if (!batch) continue;
        for (const [section, key, record] of batch) {
          changes++;
          if (record === null) live.delete(packId(section, key));
          else live.set(packId(section, key), record);
        }
      }
    } finally {
      lines.close();
      stream.destroy();
    }
    this.changesInFile = changes;
    this.liveAtReplay = live.size;
    return live;
  }
}

type Packed = [string, string, unknown];

function pack(change: RecordChange): Packed {
  return [change.section, change.key, change.record];
}

function parseBatch(line: string): Packed[] | undefined {
  if (line.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(line) as { b?: unknown };
    return Array.isArray(parsed.b) ? (parsed.b.filter((c) => Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'string') as Packed[]) : undefined;
  } catch {
    return undefined;
  }
}

const packId = (section: string, key: string) => `${section}\0${key}`;
function unpackId(id: string): [string, string] {
  const at = id.indexOf('\0');
  return [id.slice(0, at), id.slice(at + 1)];
}
