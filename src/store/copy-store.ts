import { ConflictError } from '../errors.js';
import type { CollectionSpec, LogSpec, Storage } from './storage.js';

/** Everything a deployment keeps, as the composition root lists it: what a copy must carry. */
export interface StateCatalog {
  readonly collections: readonly CollectionSpec<unknown>[];
  readonly logs: readonly LogSpec<unknown>[];
  readonly recordSets: readonly string[];
}

/** How much was copied, by name. */
export interface CopyReport {
  readonly collections: Record<string, number>;
  readonly logs: Record<string, number>;
  readonly recordSets: Record<string, number>;
}

const BATCH = 1000;

/**
 * Copies every collection, log and record set of `catalog` from one store to another (the
 * embedded store into PostgreSQL, when a deployment grows). The target must be empty: a copy
 * never merges with or overwrites data already there. Each record is checked against its schema
 * on the way; a record that does not fit stops the copy before anything of its collection is written.
 */
export async function copyStore(source: Storage, target: Storage, catalog: StateCatalog): Promise<CopyReport> {
  await assertEmpty(target, catalog);
  const report: CopyReport = { collections: {}, logs: {}, recordSets: {} };
  for (const spec of catalog.collections) {
    const records = source.collection(spec).all();
    await target.collection(spec).write((draft) => {
      for (const record of records) draft.put(record);
    });
    report.collections[spec.name] = records.length;
  }
  for (const spec of catalog.logs) {
    const log = target.log(spec);
    let copied = 0;
    for await (const entry of source.log(spec).entries()) {
      await log.append(entry);
      copied++;
    }
    report.logs[spec.name] = copied;
  }
  for (const name of catalog.recordSets) {
    const set = target.recordSet(name);
    let batch = [];
    let copied = 0;
    for await (const change of source.recordSet(name).load()) {
      batch.push(change);
      if (batch.length >= BATCH) {
        await set.write(batch);
        copied += batch.length;
        batch = [];
      }
    }
    await set.write(batch);
    report.recordSets[name] = copied + batch.length;
  }
  return report;
}

async function assertEmpty(target: Storage, catalog: StateCatalog): Promise<void> {
  for (const spec of catalog.collections) target.collection(spec);
  await target.refresh();
  const filled = [
    ...catalog.collections.filter((spec) => target.collection(spec).all().length > 0).map((s) => s.name),
    ...(await Promise.all(catalog.logs.map(async (spec) => ((await target.log(spec).count({})) > 0 ? [spec.name] : [])))).flat(),
  ];
  for (const name of catalog.recordSets) {
    for await (const _ of target.recordSet(name).load()) {
      filled.push(name);
      break;
    }
  }
  if (filled.length > 0) {
    throw new ConflictError(`${target.location} already holds SOC Bridge data (${filled.join(', ')}), so nothing was copied: import into an empty database.`);
  }
}
