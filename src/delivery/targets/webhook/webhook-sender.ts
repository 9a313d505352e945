import type { Clock } from '../../../clock.js';
import { DeliveryError } from '../../../errors.js';
import { parseRetryAfterMs } from '../../../rate-limit/backoff.js';
import type { DeliveryTarget } from '../../ports.js';
import type { IncidentNotification, Notification, TargetSender } from '../target-kind.js';
import { socBridgeEvent, socBridgeIncidentEvent, webhookBody, type SocBridgeEvent, type SocBridgeIncidentEvent } from './webhook-body.js';
import { originOf, type WebhookEndpoint } from './webhook-config.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureOf } from './webhook-signature.js';

/** The endpoint a webhook target names. */
export function endpointOf(target: DeliveryTarget): string {
  return typeof target.endpoint === 'string' ? target.endpoint : '';
}

/**
 * Posts one signed event to one endpoint with Node's fetch: JSON body, HMAC-SHA256 signature over
 * `<timestamp>.<body>`, no redirects followed, a time limit. The answer is classified for the
 * failure policy: 429 and 408 "too many / too slow", 5xx and network failures transient, any
 * other answer (4xx, a redirect) a permanent refusal.
 */
export class WebhookSender implements TargetSender {
  private readonly endpoints: ReadonlyMap<string, WebhookEndpoint>;
  /** Incident threads send `incident.updated` when the incident changes. */
  readonly followsIncidents = true;

  constructor(
    endpoints: readonly WebhookEndpoint[],
    private readonly deps: { clock: Clock; ruleName(ruleId: string): string | undefined; host: string; timeoutMs: number },
  ) {
    this.endpoints = new Map(endpoints.map((e) => [e.name, e]));
  }

  send(target: DeliveryTarget, n: Notification): Promise<void> {
    return this.post(target, socBridgeEvent(n, this.deps.ruleName(n.ruleId), this.deps.clock.now()));
  }

  sendIncident(target: DeliveryTarget, n: IncidentNotification): Promise<void> {
    return this.post(target, socBridgeIncidentEvent(n, this.deps.ruleName(n.ruleId), this.deps.clock.now()));
  }

  private async post(target: DeliveryTarget, event: SocBridgeEvent | SocBridgeIncidentEvent): Promise<void> {
    const name = endpointOf(target);
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw failure('rejected', `webhook ${name} is no longer configured`);
    const body = webhookBody(endpoint.format, event, this.deps.host);
    const timestamp = Math.floor(this.deps.clock.nowMs() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'SOC-Bridge-Webhook/1',
      'x-soc-bridge-event': event.event,
      'x-soc-bridge-event-id': event.eventId,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signatureOf(endpoint.secret, timestamp, body),
      ...(endpoint.format === 'splunk-hec' && endpoint.token ? { authorization: `Splunk ${endpoint.token}` } : {}),
    };
    let response: Response;
    try {
      response = await fetch(endpoint.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.deps.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const where = originOf(endpoint.url);
      throw failure('transient', timedOut ? `${where} did not answer within ${this.deps.timeoutMs / 1000} s` : `${where} could not be reached (${causeOf(error)})`, { cause: error });
    }
    const said = oneLine(await response.text().catch(() => ''));
    if (response.ok) return;
    throw classifyAnswer(response.status, response.statusText, said, parseRetryAfterMs(response.headers.get('retry-after'), this.deps.clock.nowMs()));
  }

  classify(error: unknown): DeliveryError {
    return error instanceof DeliveryError ? error : failure('transient', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** What an endpoint's answer means: retry (408, 429, 5xx, honouring Retry-After) or give up (everything else). */
export function classifyAnswer(status: number, statusText: string, said: string, retryAfterMs: number | undefined): DeliveryError {
  const answered = `the endpoint answered ${status}${statusText ? ` ${statusText}` : ''}${said ? `: ${said}` : ''}`;
  if (status === 429) return failure('throttled', answered, { status, retryAfterMs });
  if (status === 408 || status >= 500) return failure('transient', answered, { status, retryAfterMs });
  if (status >= 300 && status < 400) return failure('rejected', `the endpoint answered ${status} (a redirect; SOC Bridge does not follow redirects: configure the final URL)`, { status });
  return failure('rejected', answered, { status });
}

function failure(kind: DeliveryError['kind'], message: string, extra: { status?: number; retryAfterMs?: number | undefined; cause?: unknown } = {}): DeliveryError {
  return new DeliveryError({ service: 'webhook', kind, message, ...extra });
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(error);
}

/** At most 160 characters of what the endpoint said, on one line. */
function oneLine(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
