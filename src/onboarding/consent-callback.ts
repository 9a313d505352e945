import { randomBytes } from 'node:crypto';
import { z } from 'zod/v4';
import { utc } from '../alerts/alert-views.js';
import type { Clock } from '../clock.js';
import { commandButton, notice } from '../chat/reply.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { TenantRecord } from '../store/schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { CallbackPage } from './callback-page.js';
import type { ConsentFlow } from './consent-flow.js';
import { describeConsentError } from './consent-answer.js';
import type { ConsentStateSigner } from './consent-state.js';
import type { OnboardingRecords } from './onboarding-records.js';
import { listRoles } from './permissions.js';

/** The redirect's query as Entra sends it; anything longer than these bounds is not from Entra. */
const CallbackQuery = z.object({
  state: z.string().max(2048).optional(),
  tenant: z.string().max(100).optional(),
  admin_consent: z.string().max(20).optional(),
  scope: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(4000).optional(),
  error_subcode: z.string().max(100).optional(),
});

type Refusal = 'malformed' | 'forged' | 'expired' | 'unknown-tenant' | 'replaced' | 'replayed' | 'other-tenant';

const REFUSALS: Readonly<Record<Refusal, { title: string; text: string }>> = {
  malformed: { title: 'This is not a consent answer SOC Bridge can use', text: 'The page was opened without a valid consent answer. SOC Bridge changed nothing. Use the "Grant access" button on the consent card in Teams.' },
  forged: { title: 'This consent link is not valid', text: 'SOC Bridge did not issue this link, or it was altered. SOC Bridge changed nothing. Use the "Grant access" button on the consent card in Teams.' },
  expired: { title: 'This consent link has expired', text: 'SOC Bridge changed nothing. Ask your SOC contact for a new link (they type "consent" and your organisation\'s name in Teams), or click "Send a new link" where the card offers it.' },
  'unknown-tenant': { title: 'This consent link is no longer valid', text: 'The organisation it was made for is no longer served by SOC Bridge. SOC Bridge changed nothing.' },
  replaced: { title: 'This consent link was replaced', text: 'A newer consent card was sent since, and only its link works. SOC Bridge changed nothing: use the newest card in Teams.' },
  replayed: { title: 'This consent link was already used', text: 'Each link works once, and this one already brought an answer back. SOC Bridge changed nothing. The consent card in Teams shows the result.' },
  'other-tenant': {
    title: 'Consent came from a different organisation',
    text: 'This link was made for another organisation than the one that answered. SOC Bridge changed nothing. Sign in as an administrator of the organisation named on the card, using the newest card in Teams.',
  },
};

/**
 * `GET /auth/consent/callback`: where Entra sends the customer admin back. The state is checked
 * before anything else; an error answer is explained (and leaves the link usable); a success uses
 * the link up and is believed only after SOC Bridge proves access itself (ConsentFlow.connect).
 */
export class ConsentCallback {
  constructor(
    private readonly deps: {
      flow: ConsentFlow;
      records: OnboardingRecords;
      tenants: TenantRegistry;
      signer: ConsentStateSigner;
      soc: SocNotifier;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Never throws: a failure on our side is a page too, with a reference to the log. */
  async handle(query: unknown): Promise<CallbackPage> {
    try {
      return await this.answer(query);
    } catch (error) {
      const reference = randomBytes(4).toString('hex');
      this.deps.logger.error({ event: 'onboarding.callback_failed', reference, err: error }, 'consent callback failed');
      return { status: 500, tone: 'bad', title: 'Something went wrong on our side', paragraphs: [`SOC Bridge could not finish handling the consent answer. Your SOC can find the details under reference ${reference}.`] };
    }
  }

  private async answer(query: unknown): Promise<CallbackPage> {
    const parsed = CallbackQuery.safeParse(query ?? {});
    if (!parsed.success || !parsed.data.state) return this.refuse('malformed');
    const q = parsed.data;
    const checked = this.deps.signer.verify(q.state ?? '');
    if (!checked.ok) return this.refuse(checked.reason === 'bad-signature' ? 'forged' : 'malformed');
    const { tenantId, nonce, expiresAtMs } = checked.payload;
    const now = this.deps.clock.now();
    if (expiresAtMs <= now.getTime()) return this.refuse('expired', tenantId);
    const tenant = this.deps.tenants.find(tenantId);
    if (!tenant || tenant.status === 'offboarded' || tenant.tenantId !== tenantId) return this.refuse('unknown-tenant', tenantId);
    const link = this.deps.records.get(tenantId)?.link;
    if (!link || link.nonce !== nonce) return this.refuse('replaced', tenantId);
    if (link.usedAt) return this.refuse('replayed', tenantId);
    if (q.tenant !== undefined && q.tenant.trim().toLowerCase() !== tenantId) return this.refuse('other-tenant', tenantId);

    const at = now.toISOString();
    if (q.error) return this.declined(tenant, q, nonce, at);

    const record = await this.deps.records.update(tenantId, (r) => {
      if (!r.link || r.link.nonce !== nonce || r.link.usedAt) return undefined;
      r.link.usedAt = at;
      return structuredClone(r);
    });
    if (!record) return this.refuse('replayed', tenantId);

    const outcome = await this.deps.flow.connect(tenant, record, `an administrator of ${tenant.displayName}`);
    if (!outcome.ok) {
      return {
        status: 200,
        tone: 'bad',
        title: 'Consent received, but access could not be verified',
        paragraphs: [outcome.message, 'Your SOC has been told. When the problem is fixed, click "Check again" on the consent card in Teams.'],
      };
    }
    return {
      status: 200,
      tone: 'good',
      title: `SOC Bridge is connected to ${tenant.displayName}`,
      paragraphs: [
        `SOC Bridge checked the consent itself, with a token for your tenant (${tenantId}) and a call to Microsoft Graph. Permissions granted: ${listRoles(outcome.roles)}.`,
        ...(outcome.note ? [outcome.note] : []),
        'Next: an access-grant guide was posted in Teams. It walks you through giving the MSSP\'s analysts access to your Defender portal; mark each step Done as you go.',
      ],
    };
  }

  /**
   * An `error=` answer. Unlike a success it cannot be verified (no token proves a refusal) and Entra
   * sends no `tenant=` with it, so anyone holding the link could forge one. It therefore does not
   * use up the link: an administrator who declined by mistake, or never declined at all, can still
   * grant access with it. The first refusal per link is recorded, shown on the card and told to the
   * SOC; later ones only get the page, so replaying the link changes nothing and floods no one.
   */
  private async declined(tenant: TenantRecord, q: z.infer<typeof CallbackQuery>, nonce: string, at: string): Promise<CallbackPage> {
    const error = q.error ?? '';
    const refusal = describeConsentError({
      error,
      ...(q.error_description ? { description: q.error_description } : {}),
      ...(q.error_subcode ? { subcode: q.error_subcode } : {}),
      org: tenant.displayName,
      handle: tenant.handle,
    });
    const recorded = await this.deps.records.update(tenant.tenantId, (r) => {
      if (!r.link || r.link.nonce !== nonce || r.link.usedAt || r.consent.state === 'declined') return undefined;
      r.consent = { state: 'declined', at, detail: refusal.summary };
      this.deps.records.note(r, 'consent declined or failed', undefined, `${error}: ${q.error_description ?? ''}`);
      return structuredClone(r);
    });
    if (recorded) {
      await this.deps.flow.editConsentCard(tenant, recorded);
      await this.deps.soc.notify(
        notice({ tone: 'warning', title: `${tenant.displayName} did not grant consent`, text: `At ${utc(at)}: ${refusal.summary}.`, buttons: [commandButton('Status', `status ${tenant.handle}`)] }),
        'onboarding.declined',
      );
    }
    this.deps.logger.info({ event: 'onboarding.consent_declined', tenant: tenant.handle, error, recorded: recorded !== undefined }, 'admin consent declined or failed');
    return {
      status: 200,
      tone: 'bad',
      title: 'Access was not granted',
      paragraphs: [refusal.advice, ...(q.error_description ? [`Microsoft's message: ${q.error_description.slice(0, 600)}`] : [])],
    };
  }

  private refuse(reason: Refusal, tenantId?: string): CallbackPage {
    this.deps.logger.warn({ event: 'onboarding.callback_refused', reason, tenantId }, 'consent callback refused');
    const { title, text } = REFUSALS[reason];
    return { status: 400, tone: 'bad', title, paragraphs: [text] };
  }
}
