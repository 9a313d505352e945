import type { Storage } from '../store/storage.js';

/** The storage operations timed, as the `operation` label names them. */
export type StoreOperation = 'collection_write' | 'write_all' | 'refresh' | 'log_append' | 'log_query' | 'log_count' | 'record_set_write' | 'mailbox' | 'rate_budget' | 'health';

/** Called with each storage operation's duration, whether it succeeded or threw. */
export type StoreTimer = (operation: StoreOperation, seconds: number) => void;

type Method = (...args: unknown[]) => unknown;

async function timed<R>(operation: StoreOperation, timer: StoreTimer, run: () => Promise<R>): Promise<R> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timer(operation, (performance.now() - started) / 1000);
  }
}

/**
 * `target` with some async methods timed and some results wrapped in turn; every other member,
 * and every argument, passes through untouched. A proxy rather than a hand-written copy of each
 * interface, so a member or a parameter the port gains later (a record set's fencing writer) is
 * never dropped on the way.
 */
function instrument<T extends object>(target: T, timer: StoreTimer, timedMethods: Readonly<Record<string, StoreOperation>>, wrapped: Readonly<Record<string, (result: unknown, args: unknown[]) => unknown>> = {}): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof property !== 'string') return value;
      const operation = timedMethods[property];
      const wrap = wrapped[property];
      if (typeof value !== 'function') return wrap ? wrap(value, []) : value;
      const method = value as Method;
      if (operation) return (...args: unknown[]) => timed(operation, timer, async () => method.apply(object, args));
      if (wrap) return (...args: unknown[]) => wrap(method.apply(object, args), args);
      return method.bind(object);
    },
  });
}

/** Wraps each result once per name (the port promises the same object for the same name). */
function oncePerName(wrap: (result: object) => object, nameOf: (args: unknown[]) => string): (result: unknown, args: unknown[]) => unknown {
  const byName = new Map<string, object>();
  return (result, args) => {
    const name = nameOf(args);
    let wrappedResult = byName.get(name);
    if (!wrappedResult) {
      wrappedResult = wrap(result as object);
      byName.set(name, wrappedResult);
    }
    return wrappedResult;
  };
}

/**
 * The same storage, with every operation that reaches the backend timed: the store's latency
 * without a hook in either backend. Reads of a collection come from the replica in memory and are
 * not timed. Collections, logs and mailboxes keep their identity per name, as the port requires.
 */
export function timeStorage(storage: Storage, timer: StoreTimer): Storage {
  const specName = (args: unknown[]) => (args[0] as { name: string }).name;
  const rates = instrument(storage.rates, timer, { take: 'rate_budget', pause: 'rate_budget', headroom: 'rate_budget' });
  return instrument(storage, timer, { writeAll: 'write_all', refresh: 'refresh', healthy: 'health' }, {
    collection: oncePerName((collection) => instrument(collection, timer, { write: 'collection_write' }), specName),
    log: oncePerName((log) => instrument(log, timer, { append: 'log_append', query: 'log_query', count: 'log_count' }), specName),
    mailbox: oncePerName((mailbox) => instrument(mailbox, timer, { post: 'mailbox', take: 'mailbox', answer: 'mailbox', answerOf: 'mailbox' }), (args) => String(args[0])),
    recordSet: (recordSet) => instrument(recordSet as object, timer, { write: 'record_set_write' }),
    rates: () => rates,
  });
}
