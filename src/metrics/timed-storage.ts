import type { Mailbox } from '../store/mailbox.js';
import type { RateBudgetStore } from '../store/rate-budgets.js';
import type { AppendLog, Collection, CollectionDraft, CollectionSpec, Drafts, LogSpec, RecordSet, Storage } from '../store/storage.js';

/** The storage operations timed, as the `operation` label names them. */
export type StoreOperation = 'collection_write' | 'write_all' | 'refresh' | 'log_append' | 'log_query' | 'log_count' | 'record_set_write' | 'mailbox' | 'rate_budget' | 'health';

/** Called with each storage operation's duration, whether it succeeded or threw. */
export type StoreTimer = (operation: StoreOperation, seconds: number) => void;

async function timed<R>(operation: StoreOperation, timer: StoreTimer, run: () => Promise<R>): Promise<R> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timer(operation, (performance.now() - started) / 1000);
  }
}

/**
 * The same storage, with every operation that reaches the backend timed: the store's latency
 * without a hook in either backend. Reads of a collection come from the replica in memory and are
 * not timed. Collections, logs and record sets keep their identity per name, as the port requires.
 */
export function timeStorage(storage: Storage, timer: StoreTimer): Storage {
  const collections = new Map<string, Collection<unknown>>();
  const logs = new Map<string, AppendLog<unknown>>();
  const recordSets = new Map<string, RecordSet>();
  const mailboxes = new Map<string, Mailbox>();
  const rates = timeRates(storage.rates, timer);
  return {
    get kind() {
      return storage.kind;
    },
    get location() {
      return storage.location;
    },
    get leases() {
      return storage.leases;
    },
    get rates() {
      return rates;
    },
    collection<T>(spec: CollectionSpec<T>): Collection<T> {
      let collection = collections.get(spec.name);
      if (!collection) {
        collection = timeCollection(storage.collection(spec), timer) as Collection<unknown>;
        collections.set(spec.name, collection);
      }
      return collection as Collection<T>;
    },
    writeAll<S extends readonly CollectionSpec<unknown>[], R>(specs: S, change: (...drafts: Drafts<S>) => R): Promise<R> {
      return timed('write_all', timer, () => storage.writeAll(specs, change));
    },
    log<T>(spec: LogSpec<T>): AppendLog<T> {
      let log = logs.get(spec.name);
      if (!log) {
        log = timeLog(storage.log(spec), timer) as AppendLog<unknown>;
        logs.set(spec.name, log);
      }
      return log as AppendLog<T>;
    },
    recordSet(name: string): RecordSet {
      let set = recordSets.get(name);
      if (!set) {
        const inner = storage.recordSet(name);
        set = { load: () => inner.load(), write: (batch) => timed('record_set_write', timer, () => inner.write(batch)) };
        recordSets.set(name, set);
      }
      return set;
    },
    mailbox(name: string): Mailbox {
      let mailbox = mailboxes.get(name);
      if (!mailbox) {
        mailbox = timeMailbox(storage.mailbox(name), timer);
        mailboxes.set(name, mailbox);
      }
      return mailbox;
    },
    refresh: () => timed('refresh', timer, () => storage.refresh()),
    healthy: () => timed('health', timer, () => storage.healthy()),
    close: () => storage.close(),
  };
}

function timeCollection<T>(inner: Collection<T>, timer: StoreTimer): Collection<T> {
  return {
    get spec() {
      return inner.spec;
    },
    get version() {
      return inner.version;
    },
    get: (key) => inner.get(key),
    all: () => inner.all(),
    write: <R>(change: (draft: CollectionDraft<T>) => R) => timed('collection_write', timer, () => inner.write(change)),
  };
}

function timeLog<T>(inner: AppendLog<T>, timer: StoreTimer): AppendLog<T> {
  return {
    append: (entry) => timed('log_append', timer, () => inner.append(entry)),
    query: (options) => timed('log_query', timer, () => inner.query(options)),
    count: (options) => timed('log_count', timer, () => inner.count(options)),
    entries: () => inner.entries(),
  };
}

function timeMailbox(inner: Mailbox, timer: StoreTimer): Mailbox {
  return {
    post: (kind, body) => timed('mailbox', timer, () => inner.post(kind, body)),
    take: (limit) => timed('mailbox', timer, () => inner.take(limit)),
    answer: (id, body) => timed('mailbox', timer, () => inner.answer(id, body)),
    answerOf: (id) => timed('mailbox', timer, () => inner.answerOf(id)),
  };
}

function timeRates(inner: RateBudgetStore, timer: StoreTimer): RateBudgetStore {
  return {
    take: (name, window) => timed('rate_budget', timer, () => inner.take(name, window)),
    pause: (name, ms) => timed('rate_budget', timer, () => inner.pause(name, ms)),
    headroom: (name, window) => timed('rate_budget', timer, () => inner.headroom(name, window)),
  };
}
