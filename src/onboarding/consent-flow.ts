import { utc } from '../alerts/alert-views.js';
import type { Clock } from '../clock.js';
import { cardReply, commandButton, notice, type Reply } from '../chat/reply.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { Actor, UserRef } from '../roles/actor.js';
import type { RoleService } from '../roles/role-service.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { matches, type TenantRegistry } from '../tenants/tenant-registry.js';
import { checkAccess } from './access-check.js';
import type { AccessGuide } from './access-guide.js';
import type { AccessProbe } from './access-probe.js';
import { ConsentStateSigner } from './consent-state.js';
import { deriveHandle } from './handle.js';
import { actorRef, type OnboardingRecords } from './onboarding-records.js';
import { INCIDENT_READ_ROLE, listRoles, WRITE_ROLE } from './permissions.js';
import type { OnboardingRecord, RequestedAccess } from './store-schema.js';
import type { TenantLookup } from './tenant-lookup.js';
import { consentCard } from './views.js';
import { GUID_PATTERN as GUID } from '../text/ids.js';

const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Where admin-consent links point and how long they work. */
export interface ConsentSettings {
  /** Entra authority, e.g. https://login.microsoftonline.com (or the emulator). */
  readonly authorityHost: string;
  /** The MSSP's multi-tenant app the customer consents to. */
  readonly clientId: string;
  /** `PUBLIC_BASE_URL` + `/auth/consent/callback`, registered on the app. */
  readonly redirectUri: string;
  readonly linkTtlMs: number;
  /** Waits between token attempts while a fresh consent replicates through Entra. */
  readonly proofRetryDelaysMs: readonly number[];
}

export interface ConsentFlowDeps {
  readonly records: OnboardingRecords;
  readonly tenants: TenantRegistry;
  readonly roles: RoleService;
  readonly conversations: ConversationRegistry;
  readonly messenger: Messenger;
  readonly soc: SocNotifier;
  readonly probe: AccessProbe;
  readonly lookup: TenantLookup;
  readonly signer: ConsentStateSigner;
  readonly guide: AccessGuide;
  readonly settings: ConsentSettings;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** `onboard`: the customer as the analyst named it, its admin, and the access wanted. */
export interface OnboardRequest {
  /** The customer's Entra tenant id or one of its domains. */
  readonly tenantRef: string;
  readonly displayName: string;
  readonly admin?: UserRef;
  readonly access: RequestedAccess;
}

/** The conversation a request came from: the consent card is posted there. */
export interface RequestOrigin {
  readonly conversationId: string;
  /** The MSSP's own Entra tenant (Teams organisation), when the chat service says. */
  readonly teamsTenantId?: string;
}

/** How a proof of access ended, for the callback page and the card action. */
export type ConnectOutcome = { readonly ok: true; readonly roles: readonly string[]; readonly note: string | undefined } | { readonly ok: false; readonly message: string };

/**
 * The admin-consent half of onboarding: the pending tenant and its consent card, fresh links that
 * cancel older ones, and — once Entra sends the admin back — the proof of access that alone
 * connects a tenant.
 */
export class ConsentFlow {
  constructor(private readonly deps: ConsentFlowDeps) {
    deps.tenants.onNeedsAttention((tenant) => this.tellSocAttention(tenant));
  }

  /** `onboard`: a pending tenant, its customer admin, and the consent card posted in this conversation. */
  async onboard(command: OnboardRequest, actor: Actor, place: RequestOrigin): Promise<Reply> {
    const { tenants } = this.deps;
    const tenantId = await this.deps.lookup.tenantIdOf(command.tenantRef);
    const domain = GUID.test(command.tenantRef) ? tenantId : command.tenantRef.toLowerCase();
    const existing = tenants.find(tenantId) ?? tenants.find(domain);
    if (existing && existing.tenantId !== tenantId) {
      throw new ConflictError(`${existing.displayName} (${existing.handle}) already uses ${domain} with another tenant id (${existing.tenantId}). An MSSP operator must sort out which one is right; nothing was set up.`);
    }
    if (existing && existing.status !== 'offboarded') {
      throw new ConflictError(`${existing.displayName} is already set up as "${existing.handle}" (${existing.status}). To send its admin a fresh consent card, type "consent ${existing.handle}".`);
    }
    if (command.admin) this.checkCustomerAdmin(command.admin, existing);
    const tenant = existing
      ? await tenants.change(existing.tenantId, { status: 'pending-consent', writeAccess: false, displayName: command.displayName })
      : await tenants.add({
          handle: deriveHandle(command.displayName, domain, (h) => tenants.find(h) !== undefined),
          displayName: command.displayName,
          tenantId,
          domain,
          status: 'pending-consent',
          writeAccess: false,
        });
    if (command.admin) {
      await this.deps.roles.grant({ userId: command.admin.objectId, role: 'customer-admin', tenant: tenant.handle, ...(command.admin.displayName ? { displayName: command.admin.displayName } : {}), by: actor });
    }
    const previous = this.deps.records.get(tenant.tenantId);
    const record = this.newRecord(tenant, command.access, actor, place, command.admin, previous);
    this.deps.records.note(record, existing ? 'onboarded again' : 'onboarded', actor.displayName, `access ${command.access}${command.admin ? `, customer admin ${command.admin.displayName ?? command.admin.objectId}` : ''}`);
    const { reply: fallback } = await this.postConsentCard(tenant, record, place);
    const adminLine = command.admin ? ` ${command.admin.displayName ?? command.admin.objectId} is now customer-admin for ${tenant.handle}.` : '';
    const confirmation = notice({
      tone: 'good',
      title: `${tenant.displayName} (${tenant.handle}) is waiting for consent`,
      text: `${existing ? 'It was offboarded before and is onboarded again. ' : ''}${fallback ? 'Here is the consent card' : 'I posted the consent card in this conversation'} for an administrator of ${tenant.displayName}. Its link works once, until ${utc(record.link?.expiresAt)}.${adminLine}`,
      details: [`Tenant id: ${tenant.tenantId}`, `Access requested: ${command.access === 'readwrite' ? 'read and change alerts' : 'read alerts only'}`],
    });
    return fallback ?? confirmation;
  }

  /** `consent <tenant>`: a fresh card with a fresh link in this conversation; earlier links stop working. */
  async sendConsentCard(command: { readonly tenant: string; readonly access?: RequestedAccess }, actor: Actor, place: RequestOrigin): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(command.tenant, actor);
    if (tenant.status === 'offboarded') {
      throw new UsageError(`${tenant.displayName} was offboarded. To serve it again, onboard it again: "onboard ${tenant.tenantId} ${tenant.displayName}".`);
    }
    const previous = this.deps.records.get(tenant.tenantId);
    if (previous?.consentCard && previous.consent.state !== 'connected' && previous.consent.state !== 'replaced') {
      const replaced: OnboardingRecord = { ...previous, consent: { state: 'replaced', at: this.deps.clock.now().toISOString() } };
      await this.editConsentCard(tenant, replaced);
    }
    const access = command.access ?? previous?.requestedAccess ?? (tenant.writeAccess ? 'readwrite' : 'read');
    const record = this.newRecord(tenant, access, actor, place, previous?.customerAdmin, previous);
    this.deps.records.note(record, 'consent link sent', actor.displayName, `access ${access}`);
    const { reply: fallback } = await this.postConsentCard(tenant, record, place);
    return (
      fallback ??
      notice({
        tone: 'good',
        title: `Fresh consent card for ${tenant.displayName}`,
        text: `I posted it in this conversation. Its link works once, until ${utc(record.link?.expiresAt)}; links sent earlier no longer work.`,
      })
    );
  }

  /** The card action "Check again": proves access now, without a consent link. */
  async recheck(tenantRef: string, actor: Actor): Promise<Reply> {
    const tenant = this.deps.tenants.resolve(tenantRef, actor);
    if (tenant.status === 'offboarded') return notice({ tone: 'warning', title: `${tenant.displayName} was offboarded`, text: 'There is nothing to check.' });
    const record = this.deps.records.get(tenant.tenantId);
    if (!record) throw new NotFoundError(`${tenant.displayName} has no consent card to check. Type "consent ${tenant.handle}" for one.`);
    await this.connect(tenant, record, actor.displayName);
    const current = this.deps.records.get(tenant.tenantId) ?? record;
    return this.consentReply(this.deps.tenants.find(tenant.tenantId) ?? tenant, current);
  }

  /**
   * Proves access with a fresh token for the tenant we expect and a real Graph call; only then is
   * the tenant connected, its card edited, the SOC told and the access guide posted.
   */
  async connect(tenant: TenantRecord, record: OnboardingRecord, by: string): Promise<ConnectOutcome> {
    const { clock, records } = this.deps;
    const check = await checkAccess({ probe: this.deps.probe, tenant, requested: record.requestedAccess, clock, logger: this.deps.logger, retryDelaysMs: this.deps.settings.proofRetryDelaysMs });
    const at = clock.now().toISOString();
    if (!check.ok) {
      const updated = await records.update(tenant.tenantId, (r) => {
        r.consent = { state: 'unverified', at, detail: check.message, ...(check.roles ? { grantedRoles: [...check.roles] } : {}) };
        records.note(r, 'access not verified', by, `${check.stage}: ${check.message}`);
        return structuredClone(r);
      });
      await this.editConsentCard(tenant, updated);
      await this.deps.soc.notify(
        notice({ tone: 'attention', title: `${tenant.displayName}: consent arrived, access not verified`, text: check.message, buttons: [commandButton('Status', `status ${tenant.handle}`)] }),
        'onboarding.unverified',
      );
      return { ok: false, message: check.message };
    }
    const note = writeNote(record.requestedAccess, check.roles, tenant.handle);
    const connected = await this.deps.tenants.change(tenant.tenantId, { status: 'connected', writeAccess: check.assessment.canWrite });
    await this.deps.tenants.recordSuccess(tenant.tenantId);
    const updated = await records.update(tenant.tenantId, (r) => {
      r.consent = { state: 'connected', at, grantedRoles: [...check.roles], ...(note ? { detail: note } : {}) };
      if (r.link) r.link.usedAt ??= at;
      records.note(r, 'connected', by, `permissions ${listRoles(check.roles)}`);
      return structuredClone(r);
    });
    await this.editConsentCard(connected, updated);
    await this.deps.soc.notify(
      notice({
        tone: 'good',
        title: `${connected.displayName} is connected`,
        text: `An administrator of ${connected.displayName} granted consent; SOC Bridge verified it with a token for tenant ${connected.tenantId} and a Graph call. Permissions: ${listRoles(check.roles)}.${note ? ` ${note}` : ''} Its alerts are read from now on.`,
        buttons: [commandButton('Status', `status ${connected.handle}`)],
      }),
      'onboarding.connected',
    );
    await this.deps.guide.post(connected);
    return { ok: true, roles: check.roles, note };
  }

  /** The consent card as it stands, as a reply. */
  consentReply(tenant: TenantRecord, record: OnboardingRecord): Reply {
    const data = consentCard({ tenant, record, clientId: this.deps.settings.clientId, grantUrl: this.grantUrl(tenant, record) });
    return cardReply('consent', data, `${tenant.displayName}: ${data.outcome[0]?.text ?? 'consent'}`);
  }

  /** Edits the consent card in place (or posts it again where Teams gave no message id). */
  async editConsentCard(tenant: TenantRecord, record: OnboardingRecord): Promise<void> {
    const card = record.consentCard;
    const conversation = card ? this.deps.conversations.get(card.conversationId) : undefined;
    if (!card || !conversation?.active) return;
    const reply = this.consentReply(tenant, record);
    try {
      if (card.messageId) {
        await this.deps.messenger.update(conversation, card.messageId, reply);
        return;
      }
      const sent = await this.deps.messenger.send(conversation, reply);
      if (sent.messageId) {
        await this.deps.records.update(tenant.tenantId, (r) => {
          if (r.consentCard?.conversationId === card.conversationId) r.consentCard.messageId = sent.messageId;
        });
      }
    } catch (error) {
      this.deps.logger.warn({ event: 'onboarding.card_edit_failed', tenant: tenant.handle, err: error }, 'could not update the consent card');
    }
  }

  /** The admin-consent link of the record's current link, while it works. */
  grantUrl(tenant: TenantRecord, record: OnboardingRecord): string | undefined {
    const link = record.link;
    if (!link || link.usedAt || Date.parse(link.expiresAt) <= this.deps.clock.nowMs()) return undefined;
    const state = this.deps.signer.sign({ tenantId: tenant.tenantId, nonce: link.nonce, expiresAtMs: Date.parse(link.expiresAt) });
    const { authorityHost, clientId, redirectUri } = this.deps.settings;
    const url = new URL(`${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenant.tenantId)}/v2.0/adminconsent`);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('scope', GRAPH_DEFAULT_SCOPE);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    return url.toString();
  }

  /** A connected tenant started failing in a way only a person can fix: tell the SOC, once per change. */
  private async tellSocAttention(tenant: TenantRecord): Promise<void> {
    if (this.deps.records.get(tenant.tenantId)) {
      await this.deps.records.update(tenant.tenantId, (r) => this.deps.records.note(r, 'needs attention', undefined, tenant.lastError?.message));
    }
    await this.deps.soc.notify(
      notice({
        tone: 'attention',
        title: `${tenant.displayName} needs attention`,
        text: tenant.lastError?.message ?? 'Calls to this customer tenant fail.',
        details: [`If its consent was revoked, type "consent ${tenant.handle}" in your chat with its admin for a fresh consent card.`],
        buttons: [commandButton('Status', `status ${tenant.handle}`)],
      }),
      'tenant.needs_attention',
    );
  }

  /** Refuses to give customer-admin to someone who holds another role (a grant would replace it). */
  private checkCustomerAdmin(user: UserRef, tenant: TenantRecord | undefined): void {
    const holder = this.deps.roles.holderOf(user.objectId);
    if (!holder) return;
    if (holder.role === 'customer-admin' && tenant && holder.tenant && matches(tenant, holder.tenant)) return;
    const who = user.displayName ?? user.objectId;
    throw new UsageError(
      `${who} already holds the ${holder.role} role${holder.tenant ? ` for ${holder.tenant}` : ''}, and SOC Bridge gives each person one role. Nothing was set up: name another admin, or leave admin: out and grant the role later with "role grant".`,
    );
  }

  private newRecord(tenant: TenantRecord, access: RequestedAccess, actor: Actor, place: RequestOrigin, admin: UserRef | { id: string; name: string } | undefined, previous: OnboardingRecord | undefined): OnboardingRecord {
    const now = this.deps.clock.now();
    const keepGuide = previous && !previous.offboarded;
    return {
      tenantId: tenant.tenantId,
      requestedAccess: access,
      requestedBy: actorRef(actor),
      requestedAt: now.toISOString(),
      ...(place.teamsTenantId ? { msspTenantId: place.teamsTenantId } : previous?.msspTenantId ? { msspTenantId: previous.msspTenantId } : {}),
      ...(admin ? { customerAdmin: 'objectId' in admin ? { id: admin.objectId, name: admin.displayName ?? admin.objectId } : admin } : {}),
      link: {
        nonce: ConsentStateSigner.newNonce(),
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.deps.settings.linkTtlMs).toISOString(),
        issuedBy: actor.displayName,
      },
      consentCard: { conversationId: place.conversationId },
      consent: { state: 'waiting', at: now.toISOString(), ...(previous?.consent.grantedRoles ? { grantedRoles: previous.consent.grantedRoles } : {}) },
      checklist: keepGuide ? previous.checklist : { steps: {} },
      history: previous?.history ?? [],
    };
  }

  /** Stores the record and posts its card; without a way to post, the card becomes the command's reply. */
  private async postConsentCard(tenant: TenantRecord, record: OnboardingRecord, place: RequestOrigin): Promise<{ reply: Reply | undefined }> {
    const reply = this.consentReply(tenant, record);
    const conversation = this.deps.conversations.get(place.conversationId);
    let messageId: string | undefined;
    let posted = false;
    if (conversation?.active) {
      try {
        messageId = (await this.deps.messenger.send(conversation, reply)).messageId;
        posted = true;
      } catch (error) {
        this.deps.logger.warn({ event: 'onboarding.card_post_failed', tenant: tenant.handle, err: error }, 'could not post the consent card; answering with it instead');
      }
    }
    await this.deps.records.put({ ...record, consentCard: { conversationId: place.conversationId, ...(messageId ? { messageId } : {}) } });
    return { reply: posted ? undefined : reply };
  }
}

/** The sentence about write access after a proof, when there is something to say. */
function writeNote(requested: RequestedAccess, roles: readonly string[], handle: string): string | undefined {
  const incidents = incidentNote(roles, handle);
  const alerts = alertWriteNote(requested, roles, handle);
  return alerts && incidents ? `${alerts} ${incidents}` : (alerts ?? incidents);
}

/** Alerts work without the incident permissions; say what does not. */
function incidentNote(roles: readonly string[], handle: string): string | undefined {
  if (roles.some((r) => r.startsWith('SecurityIncident.'))) return undefined;
  return `${INCIDENT_READ_ROLE} was not granted, so this customer's incidents cannot be shown (its alerts can); the customer admin can consent again ("consent ${handle}") once the app registration lists it.`;
}

function alertWriteNote(requested: RequestedAccess, roles: readonly string[], handle: string): string | undefined {
  const hasWrite = roles.includes(WRITE_ROLE);
  if (requested === 'readwrite' && !hasWrite) {
    return `${WRITE_ROLE} was not granted, so alerts can be read but not changed from Teams; the customer admin can consent again ("consent ${handle}") once the app registration lists it.`;
  }
  if (requested === 'read' && hasWrite) {
    return `${WRITE_ROLE} was granted too, but read only was chosen: SOC Bridge will not change alerts.`;
  }
  return undefined;
}
