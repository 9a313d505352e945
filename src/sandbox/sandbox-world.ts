import { randomBytes } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { TextFile } from 'lowdb/node';
import { z } from 'zod/v4';
import type { Clock } from '../clock.js';
import { AlertSchema, type Alert } from '../defender/alert.js';
import { IncidentRecordSchema, type IncidentRecord } from '../emulator/incident-book.js';
import type { Logger } from '../log.js';

export const SANDBOX_WORLD_FILE = 'sandbox-world.json';

const WORLD_VERSION = 1;

const WorldSchema = z.object({
  version: z.literal(WORLD_VERSION),
  /** Mixed into the ids of raised alerts, so a world started afresh never reuses an old one's ids. */
  seed: z.string().min(1),
  tenants: z.record(
    z.string(),
    z.object({
      /** How many alerts the sandbox has raised for this customer so far. */
      raised: z.number().int().min(0),
      alerts: z.array(AlertSchema),
      /** Absent in worlds saved before incidents were kept: they are then made from the alerts. */
      incidents: z.array(IncidentRecordSchema).optional(),
    }),
  ),
});
type WorldData = z.infer<typeof WorldSchema>;

/** One demo customer's part of the world, as read at start. */
export interface TenantWorld {
  readonly raised: number;
  readonly alerts: readonly Alert[];
  readonly incidents?: readonly IncidentRecord[];
}

/** Where the world's alerts and incidents come from when it is saved: the Graph emulator, tenant by tenant. */
export interface WorldSource {
  alerts(tenantId: string): Alert[];
  incidentRecords(tenantId: string): IncidentRecord[];
}

/** The newest alerts a demo customer keeps; older ones are dropped (resolved first) so the file stays small. */
export const MAX_ALERTS_PER_TENANT = 400;

const SAVE_DELAY_MS = 500;

/**
 * The sandbox's customers' Defender, kept in `DATA_DIR/sandbox-world.json`: their alerts and
 * incidents with every change analysts made, and how many alerts each has raised. Real Defender keeps its alerts across a
 * restart of SOC Bridge, so the sandbox does too: cards posted in an earlier run still refresh and
 * act. Saved a moment after each change (changes coalesce) and on stop, through steno's atomic writer.
 */
export class SandboxWorld {
  private readonly dirty = new Set<string>();
  private readonly raisedCounts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private source: WorldSource | undefined;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: TextFile,
    readonly path: string,
    private data: WorldData,
    private readonly logger: Logger,
  ) {
    for (const [tenantId, tenant] of Object.entries(data.tenants)) this.raisedCounts.set(tenantId, tenant.raised);
  }

  /** Reads the world from `dataDir`; a missing file starts an empty world, an unreadable one is moved aside (and said so). */
  static async open(dataDir: string, deps: { logger: Logger; clock: Clock }): Promise<SandboxWorld> {
    const path = join(dataDir, SANDBOX_WORLD_FILE);
    const file = new TextFile(path);
    const fresh = (): WorldData => ({ version: WORLD_VERSION, seed: randomBytes(6).toString('hex'), tenants: {} });
    let text: string | null = null;
    try {
      text = await file.read();
    } catch (error) {
      deps.logger.warn({ event: 'sandbox.world_unreadable', path, err: (error as Error).message }, 'cannot read the sandbox world; starting a new one');
    }
    if (text === null) return new SandboxWorld(file, path, fresh(), deps.logger);
    const parsed = parseWorld(text);
    if (parsed.ok) return new SandboxWorld(file, path, parsed.data, deps.logger);
    const aside = `${path}.unreadable-${deps.clock.now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, aside);
    deps.logger.warn({ event: 'sandbox.world_replaced', path, movedTo: aside, problem: parsed.problem }, 'the sandbox world file was not valid; it was moved aside and a new world started');
    return new SandboxWorld(file, path, fresh(), deps.logger);
  }

  /** Text that makes the ids of this world's raised alerts its own. */
  get seed(): string {
    return this.data.seed;
  }

  /** The customer's alerts and count as last saved, or undefined for a customer this world has not met. */
  tenant(tenantId: string): TenantWorld | undefined {
    return this.data.tenants[tenantId];
  }

  /** Counts one more raised alert for the customer and returns its number (1, 2, …). */
  nextRaised(tenantId: string): number {
    const next = (this.raisedCounts.get(tenantId) ?? 0) + 1;
    this.raisedCounts.set(tenantId, next);
    this.changed(tenantId);
    return next;
  }

  /** Starts saving changes read from `source` (called once the emulator holds the world). */
  follow(source: WorldSource): void {
    this.source = source;
    this.scheduleSave();
  }

  /** Notes that a customer's alerts changed; the world is saved shortly. */
  changed(tenantId: string): void {
    this.dirty.add(tenantId);
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (this.timer || !this.source || this.dirty.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes pending changes now (on stop, and by tests). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.save();
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(() => this.write()).catch((error: unknown) => {
      this.logger.error({ event: 'sandbox.world_save_failed', path: this.path, err: (error as Error).message }, 'could not save the sandbox world');
    });
    return this.saving;
  }

  private async write(): Promise<void> {
    const source = this.source;
    if (!source || this.dirty.size === 0) return;
    const tenants = [...this.dirty];
    this.dirty.clear();
    for (const tenantId of tenants) {
      this.data.tenants[tenantId] = { raised: this.raisedCounts.get(tenantId) ?? 0, alerts: source.alerts(tenantId), incidents: source.incidentRecords(tenantId) };
    }
    await this.file.write(JSON.stringify(this.data));
  }
}

function parseWorld(text: string): { ok: true; data: WorldData } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = WorldSchema.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `at ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}` };
}

/**
 * The alerts over `max` a customer drops, oldest first, resolved ones before open ones, as
 * Defender itself ages alerts out; an open alert someone may still be working on goes last.
 */
export function alertsBeyondCap(alerts: readonly Alert[], max = MAX_ALERTS_PER_TENANT): string[] {
  if (alerts.length <= max) return [];
  const oldestFirst = [...alerts].sort((a, b) => Number(a.status !== 'resolved') - Number(b.status !== 'resolved') || a.createdDateTime.localeCompare(b.createdDateTime));
  return oldestFirst.slice(0, alerts.length - max).map((a) => a.id);
}
