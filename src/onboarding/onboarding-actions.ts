import { randomBytes } from 'node:crypto';
import { z } from 'zod/v4';
import type { ActionOutcome } from '../alerts/alert-actions.js';
import { denialMessage, isAllowed } from '../commands/access.js';
import { notice, type Reply } from '../commands/reply.js';
import { NotFoundError, isSocBridgeError, userFacingMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../store/schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { AccessGuide } from './access-guide.js';
import { STEP_IDS } from './checklist.js';
import type { ConsentFlow } from './consent-flow.js';
import type { Offboarding } from './offboarding.js';
import { ONBOARDING_VERBS, type OnboardingVerb } from './verbs.js';

/** Card data comes back from the client: as untrusted as anything typed. */
const TenantPayload = z.object({ tenantId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i) });
const StepPayload = TenantPayload.extend({ step: z.enum(STEP_IDS) });

/**
 * Clicks on onboarding cards. Who may click is settled before anything else, and a refusal goes
 * to the clicker only; a permitted click edits the card for everyone in the conversation.
 */
export class OnboardingActions {
  constructor(private readonly deps: { tenants: TenantRegistry; flow: ConsentFlow; guide: AccessGuide; offboarding: Offboarding; logger: Logger }) {}

  handle(verb: OnboardingVerb, data: unknown, actor: Actor, conversationId?: string): ActionOutcome {
    if (!isAllowed(actor.role, verb)) return refuse(denialMessage(actor.role, verb));
    const isStep = verb === ONBOARDING_VERBS.checklistDone || verb === ONBOARDING_VERBS.checklistHelp;
    const parsed = (isStep ? StepPayload : TenantPayload).safeParse(data);
    if (!parsed.success) return refuse("This card's data is not valid. Ask for a fresh card.", 'Check the card');
    const tenantId = parsed.data.tenantId.toLowerCase();
    let tenant: TenantRecord;
    try {
      tenant = this.deps.tenants.resolve(tenantId, actor);
    } catch (error) {
      if (error instanceof NotFoundError) {
        return refuse(actor.role === 'customer-admin' ? "Only this customer's own admins and the SOC's admins can do that. Nothing was changed." : 'That customer is not set up in SOC Bridge any more. Nothing was changed.');
      }
      throw error;
    }
    const step = StepPayload.safeParse(data);
    if (step.success && verb === ONBOARDING_VERBS.checklistDone) return this.shared('Saving…', this.deps.guide.tick(tenant.tenantId, step.data.step, actor));
    if (step.success && verb === ONBOARDING_VERBS.checklistHelp) return this.shared('Telling the SOC…', this.deps.guide.askHelp(tenant.tenantId, step.data.step, actor, conversationId));
    if (verb === ONBOARDING_VERBS.consentRefresh) return this.shared('Checking access with Microsoft…', this.deps.flow.recheck(tenant.tenantId, actor));
    if (verb === ONBOARDING_VERBS.offboardConfirm) return this.shared('Offboarding…', this.deps.offboarding.confirm(tenant.tenantId, actor));
    return this.shared('Cancelling…', Promise.resolve().then(() => this.deps.offboarding.cancel(tenant.tenantId, actor)));
  }

  private shared(working: string, work: Promise<Reply>): ActionOutcome {
    return { interim: notice({ title: working, text: 'This card updates in a moment.' }), final: this.safely(work), delivery: 'shared' };
  }

  /** Turns any failure into a reply, so the chat never sees an exception. */
  private async safely(work: Promise<Reply>): Promise<Reply> {
    try {
      return await work;
    } catch (error) {
      const reference = randomBytes(4).toString('hex');
      if (!isSocBridgeError(error)) this.deps.logger.error({ event: 'onboarding.action_failed', reference, err: error }, 'onboarding card action failed');
      return notice({ tone: 'attention', title: 'That did not work', text: userFacingMessage(error, reference) });
    }
  }
}

function refuse(text: string, title = 'Not allowed'): ActionOutcome {
  const reply = notice({ tone: 'attention', title, text });
  return { interim: reply, final: Promise.resolve(reply), delivery: 'clicker' };
}
