import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config.js';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { WEBHOOK_TARGETS } from '../../src/delivery/targets/webhook/webhook-target.js';
import { silentLogger } from '../../src/log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { ALL_CONTENT, World, freshAlert, run } from './support.js';

const SECRET = 'webhook-worker-secret-0123456789abcdef';
let receiver: WebhookReceiver;
let service: DeliveryService | undefined;

beforeEach(async () => {
  receiver = await WebhookReceiver.start();
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await receiver.close();
});

/** A world whose rules may also send to `webhook:siem`, a receiver on loopback. */
function setUp() {
  const clock = new ManualClock();
  const world = new World(clock);
  const config = parseConfig({ WEBHOOK_SIEM_URL: receiver.url('/siem'), WEBHOOK_SIEM_SECRET: SECRET }, '/srv/soc');
  world.extraKinds = [{ kind: WEBHOOK_TARGETS, built: WEBHOOK_TARGETS.build({ config, clock, logger: silentLogger, ruleName: () => 'SIEM rule' }) }];
  const tenant = world.addTenant(1);
  world.addChannel('19:a');
  return { clock, world, tenant };
}

const SIEM = { kind: 'webhook', endpoint: 'siem' };
/** The status the service would publish for `target` (webhook targets are keyed `webhook:<endpoint>`). */
const statusOf = (service: DeliveryService, target: typeof SIEM) => service.targetStatuses().find((s) => s.targetKey === `webhook:${target.endpoint}`);

async function realWait(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the webhook worker', () => {
  it('never holds up Teams or email, however slow the endpoint', async () => {
    const { clock, world, tenant } = setUp();
    receiver.answer('/siem', { status: 200, delayMs: 1500 });
    service = world.service();
    await service.start();
    const alert = freshAlert(tenant, clock.now(), 'slow');
    await service.deliver(tenant, alert, [
      { target: SIEM, ruleId: 'r1', options: ALL_CONTENT },
      { target: { kind: 'teams', conversationId: '19:a' }, ruleId: 'r1', options: ALL_CONTENT },
      { target: { kind: 'email', address: 'soc@customer1.example' }, ruleId: 'r1', options: ALL_CONTENT },
    ]);
    await run(clock, 500);
    expect(world.messenger.alertIdsIn('19:a')).toEqual([alert.id]);
    expect(world.mail.sent.map((m) => m.to)).toEqual(['soc@customer1.example']);
    expect(receiver.at('/siem')).toHaveLength(0);
    await realWait(() => receiver.accepted('/siem').length === 1, 'the slow endpoint to answer');
  });

  it('marks an endpoint that refuses for good failing, tells the SOC once per breakage, and clears it on success', async () => {
    const { clock, world, tenant } = setUp();
    receiver.answer('/siem', { status: 403 });
    service = world.service();
    await service.start();
    const send = async (seed: string) => {
      const before = receiver.requests.length;
      await service!.deliver(tenant, freshAlert(tenant, clock.now(), seed), [{ target: SIEM, ruleId: 'r1', options: ALL_CONTENT }]);
      await realWait(() => receiver.requests.length === before + 1, `the request for ${seed}`);
      await run(clock, 100);
    };
    await send('one');
    await send('two');
    expect(world.soc.titles).toEqual(['Alert target failing']);
    expect(statusOf(service, SIEM)?.failing?.reason).toBe('the endpoint answered 403 Forbidden: {}');
    receiver.answer('/siem', { status: 204 });
    // A rule test's sample that gets through shows the endpoint works again, but is no delivery.
    const [sample] = await service.sendSamples([{ tenant, alert: freshAlert(tenant, clock.now(), 'sample'), routed: { target: SIEM, ruleId: 'r1', options: ALL_CONTENT } }], { requestedBy: 'Alex Admin', ruleName: 'SIEM rule' });
    expect(sample?.outcome).toEqual({ status: 'sent' });
    expect(statusOf(service, SIEM)).toEqual({ targetKey: 'webhook:siem' });
    await send('three');
    expect(statusOf(service, SIEM)?.failing).toBeUndefined();
    expect(statusOf(service, SIEM)?.lastSentAt).toMatch(/^2026-11-26T09:00/);
    receiver.answer('/siem', { status: 410 });
    await send('four');
    expect(world.soc.titles).toEqual(['Alert target failing', 'Alert target failing']);
    expect(receiver.requests.map((r) => r.status)).toEqual([403, 403, 204, 204, 410]);
  });

  it('sends each change of a delivered alert as one updated event, the newest version', async () => {
    const { clock, world, tenant } = setUp();
    service = world.service();
    await service.start();
    const alert = freshAlert(tenant, clock.now(), 'changing');
    await service.deliver(tenant, alert, [{ target: SIEM, ruleId: 'r1', options: ALL_CONTENT }]);
    await realWait(() => receiver.accepted('/siem').length === 1, 'the new event');
    await run(clock, 100);
    service.alertChanged(tenant, { ...alert, status: 'inProgress', lastUpdateDateTime: new Date(clock.nowMs() + 1000).toISOString() });
    await realWait(() => receiver.accepted('/siem').length === 2, 'the update');
    const events = receiver.accepted<{ event: string; alert: { status: string } }>('/siem');
    expect(events.map((e) => [e.event, e.alert.status])).toEqual([
      ['new', 'new'],
      ['updated', 'inProgress'],
    ]);
  });
});
