import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import { generateNewAlert, inIncident, nextIncidentId, type DemoTenant } from '../emulator/demo-data.js';
import type { GraphSecurityEmulator } from '../emulator/graph-security.js';
import type { Logger } from '../log.js';
import { alertsBeyondCap, type SandboxWorld } from './sandbox-world.js';

/** How long after a channel is linked its customer raises the first alert: the link's confirmation comes first. */
export const FIRST_ALERT_DELAY_MS = 3000;

/** The share of raised alerts that join an open incident of the last few hours, so incidents grow while the sandbox runs. */
const JOIN_SHARE = 0.4;
const JOIN_WINDOW_MS = 6 * 3_600_000;

export interface AlertCadenceDeps {
  readonly graph: GraphSecurityEmulator;
  readonly world: SandboxWorld;
  readonly customers: readonly DemoTenant[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Average time between two alerts of one customer; 0 raises none. */
  readonly intervalMs: number;
  readonly firstAlertDelayMs?: number;
  /** A number in [0, 1) (tests pass their own). */
  readonly random?: () => number;
}

/**
 * When the sandbox's customers raise new alerts. Each customer keeps its own schedule, one alert on
 * average every `intervalMs` (anywhere from half to one and a half times it, so customers do not
 * tick together), at the severities its alert types have: many are low or informational, which the
 * default rule does not deliver. So that a new user does not wait for chance, a customer also raises
 * one medium-or-higher alert a few seconds after a channel is linked to it.
 */
export class AlertCadence {
  /** Pending timers and what to do if they are cancelled. */
  private readonly timers = new Map<NodeJS.Timeout, (() => void) | undefined>();
  private stopped = false;

  constructor(private readonly deps: AlertCadenceDeps) {}

  /** Starts every customer's schedule. */
  start(): void {
    if (this.deps.intervalMs <= 0) return;
    for (const customer of this.deps.customers) this.scheduleNext(customer);
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, cancelled] of this.timers) {
      clearTimeout(timer);
      cancelled?.();
    }
    this.timers.clear();
  }

  /**
   * After a channel is linked to the customer: raises one medium-or-higher alert shortly and
   * resolves with it (undefined when the sandbox raises no alerts, or stopped meanwhile).
   */
  raiseAfterLink(tenantId: string): Promise<Alert | undefined> {
    const customer = this.deps.customers.find((c) => c.tenantId === tenantId);
    if (!customer || this.deps.intervalMs <= 0 || this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.later(this.deps.firstAlertDelayMs ?? FIRST_ALERT_DELAY_MS, () => resolve(this.raise(customer, true)), () => resolve(undefined));
    });
  }

  private scheduleNext(customer: DemoTenant): void {
    const delay = Math.round(this.deps.intervalMs * (0.5 + (this.deps.random ?? Math.random)()));
    this.later(delay, () => {
      this.raise(customer, false);
      this.scheduleNext(customer);
    });
  }

  private later(delayMs: number, run: () => void, cancelled?: () => void): void {
    if (this.stopped) {
      cancelled?.();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    timer.unref();
    this.timers.set(timer, cancelled);
  }

  private raise(customer: DemoTenant, urgent: boolean): Alert {
    const { graph, world } = this.deps;
    const number = world.nextRaised(customer.tenantId);
    const raised = generateNewAlert(customer, this.deps.clock.now(), `${world.seed}-${number}`, { urgent });
    const alert = graph.raiseAlert(customer.tenantId, inIncident(raised, this.incidentFor(customer, urgent)));
    const dropped = alertsBeyondCap(graph.alerts(customer.tenantId));
    if (dropped.length > 0) graph.removeAlerts(customer.tenantId, dropped);
    this.deps.logger.debug({ event: 'sandbox.alert_raised', tenantId: customer.tenantId, alertId: alert.id, incidentId: alert.incidentId, severity: alert.severity, afterLink: urgent }, 'sandbox raised an alert');
    return alert;
  }

  /**
   * The incident a new alert belongs to: now and then the newest open incident of the last few
   * hours (Defender correlating it), otherwise a new one. The first alert after a link always
   * starts its own, so that card is about something new.
   */
  private incidentFor(customer: DemoTenant, afterLink: boolean): string {
    const incidents = this.deps.graph.incidents(customer.tenantId);
    const since = this.deps.clock.nowMs() - JOIN_WINDOW_MS;
    const joinable = incidents.find((i) => (i.status === 'active' || i.status === 'inProgress') && Date.parse(String(i.createdDateTime)) >= since);
    if (joinable && !afterLink && (this.deps.random ?? Math.random)() < JOIN_SHARE) return joinable.id;
    return nextIncidentId(incidents.map((i) => i.id), customer.tenantId);
  }
}
