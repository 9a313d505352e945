import { z } from 'zod/v4';
import { notice, type Reply } from '../../chat/reply.js';
import { AccessDeniedError, NotFoundError } from '../../errors.js';
import { STEP_IDS } from '../../onboarding/checklist.js';
import { ONBOARDING_VERBS } from '../../onboarding/verbs.js';
import { ACCESS } from '../../roles/access.js';
import type { TenantRecord } from '../../tenants/tenant-schema.js';
import { GUID_PATTERN } from '../../text/ids.js';
import type { ActionContext } from '../context.js';
import type { ActionRoute } from '../route.js';

const TenantPayload = z.object({ tenantId: z.string().regex(GUID_PATTERN).transform((id) => id.toLowerCase()) });
const StepPayload = TenantPayload.extend({ step: z.enum(STEP_IDS) });
type TenantRef = z.infer<typeof TenantPayload>;
type StepRef = z.infer<typeof StepPayload>;

const WHEN_INVALID = 'Ask for a fresh card.';
const working = (title: string) => () => notice({ title, text: 'This card updates in a moment.' });

/** The customer the card is about, as this actor may see it; a refusal (for the clicker only) otherwise. */
function tenantOf({ payload, actor, services }: ActionContext<TenantRef>): TenantRecord {
  try {
    return services.tenants.resolve(payload.tenantId, actor);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new AccessDeniedError(
      actor.role === 'customer-admin' ? "Only this customer's own admins and the SOC's admins can do that. Nothing was changed." : 'That customer is not set up in SOC Bridge any more. Nothing was changed.',
    );
  }
}

/** An onboarding card verb: the card is edited for everyone in the conversation. */
function onboardingRoute<P extends TenantRef>(payload: z.ZodType<P>, title: string, work: (ctx: ActionContext<P>, tenant: TenantRecord) => Promise<Reply>): ActionRoute<P> {
  return {
    access: ACCESS.adminOrCustomerAdmin,
    payload,
    whenInvalid: WHEN_INVALID,
    delivery: 'shared',
    interim: working(title),
    handle: async (ctx) => work(ctx, tenantOf(ctx)),
  };
}

/** The onboarding cards' verbs: access-guide steps, the consent check, and offboarding's confirmation. */
export const ONBOARDING_ACTION_ROUTES = {
  [ONBOARDING_VERBS.checklistDone]: onboardingRoute<StepRef>(StepPayload, 'Saving…', ({ payload, actor, services }, tenant) => services.onboarding.guide.tick(tenant.tenantId, payload.step, actor)),
  [ONBOARDING_VERBS.checklistHelp]: onboardingRoute<StepRef>(StepPayload, 'Telling the SOC…', ({ payload, actor, services, place }, tenant) =>
    services.onboarding.guide.askHelp(tenant.tenantId, payload.step, actor, place.conversationId),
  ),
  [ONBOARDING_VERBS.consentRefresh]: onboardingRoute(TenantPayload, 'Checking access with Microsoft…', ({ actor, services }, tenant) => services.onboarding.flow.recheck(tenant.tenantId, actor)),
  [ONBOARDING_VERBS.offboardConfirm]: { ...onboardingRoute(TenantPayload, 'Offboarding…', ({ actor, services }, tenant) => services.onboarding.offboarding.confirm(tenant.tenantId, actor)), access: ACCESS.admin },
  [ONBOARDING_VERBS.offboardCancel]: { ...onboardingRoute(TenantPayload, 'Cancelling…', async ({ actor, services }, tenant) => services.onboarding.offboarding.cancel(tenant.tenantId, actor)), access: ACCESS.admin },
};
