import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_CONSENT_ROLES, GRAPH_DEFAULT_SCOPE, type EmulatedApp, type EmulatedTenant } from './entra-directory.js';
import { invalidScope, tenantNotFound, type OAuthFailure } from './entra-failures.js';
import { readBody, redirect, sendHtml } from './http-kit.js';

/** What the admin-consent endpoint needs of the emulated directory. */
export interface ConsentDirectory {
  app(clientId: string): EmulatedApp | undefined;
  findTenant(tenantIdOrDomain: string): EmulatedTenant | undefined;
  tenants(): Iterable<EmulatedTenant>;
  grantConsent(tenant: string, clientId: string, roles: readonly string[]): void;
}

/**
 * The v2 admin-consent endpoint (`/{tenant}/v2.0/adminconsent`): checks the request as Entra does
 * before showing anything, shows the permissions page, and redirects back with the admin's answer.
 */
export class AdminConsentEndpoint {
  constructor(private readonly directory: ConsentDirectory) {}

  /** GET shows the consent page, POST takes the decision and redirects back to the app. */
  async handle(req: IncomingMessage, res: ServerResponse, segment: string, url: URL): Promise<void> {
    const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    const checked = this.checkConsentRequest(segment, params);
    if ('aadsts' in checked) return sendHtml(res, 400, errorPage(checked));
    const { app, redirectUri } = checked;
    if (params.get('scope') !== GRAPH_DEFAULT_SCOPE) {
      return redirect(res, withQuery(redirectUri, { error: 'invalid_request', error_description: invalidScope(params.get('scope') ?? '').text, state: params.get('state') }));
    }
    if (req.method === 'GET') return sendHtml(res, 200, this.consentPage(segment, app, params));
    const tenant = this.directory.findTenant(segment.toLowerCase() === 'organizations' ? (params.get('signin_tenant') ?? '') : segment);
    if (!tenant) return sendHtml(res, 400, errorPage(tenantNotFound(params.get('signin_tenant') ?? segment, 'invalid_tenant')));
    this.decideConsent(res, params, { app, redirectUri, tenant });
  }

  private decideConsent(res: ServerResponse, params: URLSearchParams, { app, redirectUri, tenant }: { app: EmulatedApp; redirectUri: string; tenant: EmulatedTenant }): void {
    const state = params.get('state');
    const decision = params.get('decision');
    if (decision === 'accept') {
      this.directory.grantConsent(tenant.tenantId, app.clientId, app.consentRoles ?? DEFAULT_CONSENT_ROLES);
      return redirect(res, withQuery(redirectUri, { admin_consent: 'True', tenant: tenant.tenantId, scope: GRAPH_DEFAULT_SCOPE, state }));
    }
    if (decision === 'cancel') {
      return redirect(res, withQuery(redirectUri, {
        admin_consent: 'True',
        error: 'access_denied',
        error_subcode: 'cancel',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
        state,
      }));
    }
    sendHtml(res, 400, errorPage({ status: 400, error: 'invalid_request', aadsts: 900144, text: "The request body must contain the following parameter: 'decision' (accept or cancel)." }));
  }

  /** Everything that must hold before Entra will show a consent page or redirect anywhere. */
  private checkConsentRequest(segment: string, params: URLSearchParams): OAuthFailure | { app: EmulatedApp; redirectUri: string } {
    const lower = segment.toLowerCase();
    if (lower === 'common' || lower === 'consumers') {
      return { status: 400, error: 'invalid_request', aadsts: 90130, text: 'Application is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.' };
    }
    if (lower !== 'organizations' && !this.directory.findTenant(segment)) return tenantNotFound(segment, 'invalid_tenant');
    const clientId = params.get('client_id') ?? '';
    const app = this.directory.app(clientId);
    if (!app) {
      return { status: 400, error: 'unauthorized_client', aadsts: 700016, text: `Application with identifier '${clientId}' was not found in the directory '${segment}'.` };
    }
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!(app.redirectUris ?? []).includes(redirectUri)) {
      return { status: 400, error: 'invalid_request', aadsts: 50011, text: `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.` };
    }
    return { app, redirectUri };
  }

  private consentPage(segment: string, app: EmulatedApp, params: URLSearchParams): string {
    const tenant = this.directory.findTenant(segment);
    const roles = (app.consentRoles ?? DEFAULT_CONSENT_ROLES).map((role) => `<li>${escapeHtml(role)} (Microsoft Graph, application)</li>`).join('');
    const hidden = ['client_id', 'redirect_uri', 'scope', 'state']
      .filter((name) => params.get(name) !== null)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? '')}">`)
      .join('');
    const who = tenant ? `an administrator of ${escapeHtml(tenant.displayName)}` : 'an administrator';
    const picker = tenant ? '' : this.tenantPicker();
    return page('Permissions requested', [
      `<h1>Permissions requested</h1>`,
      `<p><strong>${escapeHtml(app.displayName ?? app.clientId)}</strong> (${escapeHtml(app.clientId)}) asks ${who} to grant:</p>`,
      `<ul>${roles}</ul>`,
      `<p>After you decide you go back to ${escapeHtml(params.get('redirect_uri') ?? '')}.</p>`,
      `<form method="post" action="/${escapeHtml(encodeURIComponent(segment))}/v2.0/adminconsent">${hidden}${picker}`,
      `<button type="submit" name="decision" value="accept">Accept</button> <button type="submit" name="decision" value="cancel">Cancel</button></form>`,
    ]);
  }

  /** `organizations` links let any admin sign in; the emulator asks which tenant's admin that is. */
  private tenantPicker(): string {
    const options = [...this.directory.tenants()].map((t) => `<option value="${escapeHtml(t.tenantId)}">${escapeHtml(t.displayName)}</option>`).join('');
    return `<p><label>Sign in as an administrator of <select name="signin_tenant">${options}</select></label></p>`;
  }
}

function withQuery(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function errorPage(failure: OAuthFailure): string {
  return page('Sign in', [
    '<h1>Sorry, but we’re having trouble signing you in.</h1>',
    `<p id="error">AADSTS${failure.aadsts}: ${escapeHtml(failure.text)}</p>`,
  ]);
}

function page(title: string, body: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body.join('\n')}</body></html>`;
}
