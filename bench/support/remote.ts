import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RaiseRequest, RaisedAlert, RemoteReply, RemoteRequest, RemoteStats, SetupRequest } from './protocol.js';

type Waiter = { resolve: (reply: RemoteReply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type RequestBody = Omit<SetupRequest, 'id'> | RaiseRequest | { type: 'stats' } | { type: 'stop' };

/** The benchmark's handle on its remote-services child process. */
export class RemoteServices {
  private nextId = 0;
  private exited = false;
  private readonly waiting = new Map<number, Waiter>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message) => this.settle(message as RemoteReply));
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.failAll(new Error(`remote services exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`));
    });
  }

  /** Forks the child; it stays idle until `setup`. */
  static start(): RemoteServices {
    const script = fileURLToPath(new URL('./remote-services.js', import.meta.url));
    return new RemoteServices(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  async setup(request: Omit<SetupRequest, 'type'>, timeoutMs: number): Promise<{ authorityHost: string; graphBaseUrl: string; seededAlerts: number; seededIncidents: number }> {
    const reply = await this.ask({ type: 'setup', ...request }, timeoutMs);
    if (reply.type !== 'ready') throw new Error(`remote services answered setup with ${reply.type}`);
    return reply;
  }

  /** Raises new alerts in the Graph emulator now; says when each was stored. */
  async raise(batches: RaiseRequest['batches'], timeoutMs = 30_000): Promise<readonly RaisedAlert[]> {
    const reply = await this.ask({ type: 'raise', batches }, timeoutMs);
    if (reply.type !== 'raised') throw new Error(`remote services answered raise with ${reply.type}`);
    return reply.alerts;
  }

  async stats(): Promise<RemoteStats> {
    const reply = await this.ask({ type: 'stats' }, 10_000);
    if (reply.type !== 'stats') throw new Error(`remote services answered stats with ${reply.type}`);
    return reply.stats;
  }

  /** Closes the emulators and waits for the child to exit; kills it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.ask({ type: 'stop' }, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private ask(body: RequestBody, timeoutMs: number): Promise<RemoteReply> {
    if (this.exited) return Promise.reject(new Error('remote services are not running'));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`remote services gave no answer to ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.child.send({ id, ...body } as RemoteRequest);
    });
  }

  private settle(reply: RemoteReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    clearTimeout(waiter.timer);
    if (reply.type === 'error') waiter.reject(new Error(`remote services: ${reply.message}`));
    else waiter.resolve(reply);
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
