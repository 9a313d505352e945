/**
 * What Entra's `error` answer on the consent redirect means, for the admin's page and the card.
 * Branch on the error and the AADSTS code only; `error_description` is shown to people as
 * Microsoft's own words, never interpreted (it changes).
 */
export interface ConsentRefusal {
  /** One sentence for the card and the SOC. */
  readonly summary: string;
  /** What the admin reads on the page: what happened and what to do. */
  readonly advice: string;
}

export function describeConsentError(args: { error: string; description?: string; subcode?: string; org: string; handle: string }): ConsentRefusal {
  const aadsts = Number(/AADSTS(\d{4,7})/.exec(args.description ?? '')?.[1] ?? NaN);
  const again = `If that was not intended, click "Grant access" on the card in Teams again: its link still works until it expires (or click "Send a new link", or ask your SOC contact, who types "consent ${args.handle}").`;
  if (args.error === 'access_denied' || args.subcode === 'cancel' || aadsts === 65004) {
    return { summary: 'the administrator declined consent (nothing was granted)', advice: `You declined, so nothing was granted and SOC Bridge has no access to ${args.org}. ${again}` };
  }
  if (aadsts === 90094 || args.error === 'consent_required') {
    return {
      summary: 'consent needs an administrator allowed to grant tenant-wide consent',
      advice: `Only a Global Administrator or Privileged Role Administrator of ${args.org} can grant these application permissions. Forward the card to one of them, or sign in with such an account. ${again}`,
    };
  }
  if (aadsts === 90099) {
    return { summary: 'partner (GDAP) administrators may not consent to this app', advice: `A partner's delegated admin cannot consent here: an administrator of ${args.org} itself must. ${again}` };
  }
  if (aadsts === 53003) {
    return { summary: 'a Conditional Access policy blocked the sign-in', advice: `A Conditional Access policy of ${args.org} blocked the sign-in. Review the policy, then try again. ${again}` };
  }
  if (aadsts === 700016 || aadsts === 650056 || aadsts === 650057) {
    return { summary: "Entra ID refused the MSSP's app registration", advice: `Microsoft Entra ID refused the app (AADSTS${aadsts}). This is for the MSSP to fix; your SOC has been told.` };
  }
  return {
    summary: `Entra ID answered "${args.error.slice(0, 60)}"${Number.isNaN(aadsts) ? '' : ` (AADSTS${aadsts})`}`,
    advice: `Microsoft Entra ID did not complete the consent (${args.error.slice(0, 60)}${Number.isNaN(aadsts) ? '' : `, AADSTS${aadsts}`}). Your SOC has been told. ${again}`,
  };
}
