import { createReadStream } from 'node:fs';
import { appendFile, open, rename, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StoreError } from '../../errors.js';
import { recordGroupOf, type RecordChange, type RecordSet } from '../storage.js';

/** Compact when the file holds this many times more changes than live records (and at least MIN_COMPACT_LINES changes). */
const COMPACT_RATIO = 3;
const MIN_COMPACT_LINES = 5_000;
/** Records per line when the file is rewritten whole. */
const RECORDS_PER_REWRITTEN_LINE = 500;

/**
 * A record set as a file of change batches, one JSON line per batch, so a batch is stored whole or
 * not at all (a line cut short by a crash is skipped on load). Writing appends; the file is
 * compacted — rewritten with only the live records, atomically — once it holds several times more
 * changes than records, so its size and the cost of a write stay proportional to what is live.
 * Once read, the live records are kept as their JSON text with an index by group, which is what
 * `loadGroups` answers from: the embedded store serves one process, whose memory holds the set.
 */
export class RecordSetFile implements RecordSet {
  private tail: Promise<void> = Promise.resolve();
  private changesInFile = 0;
  /** Live records as JSON text by `section\0key`, once the file has been read. */
  private live: Map<string, string> | undefined;
  /** The ids of the live records of each group. */
  private readonly byGroup = new Map<string, Set<string>>();

  constructor(readonly path: string) {}

  /** Writes `records` as the whole set (used once, when an older store file is converted). */
  static async replace(path: string, records: readonly RecordChange[]): Promise<void> {
    await writeWhole(path, records.map((r) => JSON.stringify(pack(r))));
  }

  async *load(): AsyncGenerator<RecordChange> {
    const live = await this.liveRecords();
    for (const [id, text] of [...live]) yield changeOf(id, text);
  }

  async loadGroups(groups: readonly string[]): Promise<RecordChange[]> {
    const live = await this.liveRecords();
    const found: RecordChange[] = [];
    for (const group of new Set(groups)) {
      for (const id of this.byGroup.get(group) ?? []) {
        const text = live.get(id);
        if (text !== undefined) found.push(changeOf(id, text));
      }
    }
    return found;
  }

  write(batch: readonly RecordChange[]): Promise<void> {
    if (batch.length === 0) return this.tail;
    const line = `${JSON.stringify({ b: batch.map(pack) })}\n`;
    const work = this.tail.then(async () => {
      const live = await this.readOnce();
      await appendFile(this.path, line);
      this.changesInFile += batch.length;
      for (const change of batch) this.apply(live, change.section, change.key, change.record);
      if (this.changesInFile > Math.max(MIN_COMPACT_LINES, COMPACT_RATIO * live.size)) await this.compact();
    });
    this.tail = work.catch(() => undefined);
    return work.catch((error: unknown) => {
      throw new StoreError('store.unreadable', `Cannot write ${this.path}: ${(error as Error).message}`, error);
    });
  }

  /** Rewrites the file with only its live records. */
  async compact(): Promise<void> {
    const live = await this.readOnce();
    // Written from the records' JSON text as held: nothing is parsed again.
    const packed = [...live].map(([id, text]) => {
      const [section, key] = unpackId(id);
      return `[${JSON.stringify(section)},${JSON.stringify(key)},${text}]`;
    });
    await writeWhole(this.path, packed);
    this.changesInFile = packed.length;
  }

  /** The live records, after any write queued before this call. */
  private async liveRecords(): Promise<Map<string, string>> {
    await this.tail;
    return this.readOnce();
  }

  private async readOnce(): Promise<Map<string, string>> {
    this.live ??= await this.replay();
    return this.live;
  }

  private apply(live: Map<string, string>, section: string, key: string, record: unknown): void {
    const id = packId(section, key);
    const group = recordGroupOf(key);
    if (record === null) {
      live.delete(id);
      const ids = this.byGroup.get(group);
      ids?.delete(id);
      if (ids?.size === 0) this.byGroup.delete(group);
      return;
    }
    live.set(id, JSON.stringify(record));
    let ids = this.byGroup.get(group);
    if (!ids) this.byGroup.set(group, (ids = new Set()));
    ids.add(id);
  }

  /** Replays every batch into the live records, and counts the changes read. */
  private async replay(): Promise<Map<string, string>> {
    const live = new Map<string, string>();
    this.byGroup.clear();
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
          this.apply(live, section, key, record);
        }
      }
    } finally {
      lines.close();
      stream.destroy();
    }
    this.changesInFile = changes;
    return live;
  }
}

/**
 * Replaces the file with these packed changes (JSON arrays), atomically through a rename. As the
 * rename makes the whole file one batch, it is written in short lines, so that reading it back
 * never holds one huge line.
 */
async function writeWhole(path: string, packed: readonly string[]): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const file = await open(temp, 'w');
  try {
    for (let i = 0; i < packed.length; i += RECORDS_PER_REWRITTEN_LINE) await file.write(`{"b":[${packed.slice(i, i + RECORDS_PER_REWRITTEN_LINE).join(',')}]}\n`);
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

function changeOf(id: string, text: string): RecordChange {
  const [section, key] = unpackId(id);
  return { section, key, record: JSON.parse(text) as unknown };
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
