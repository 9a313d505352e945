import type { AlertEvidence, AlertSeverity, FileDetails, UserAccount } from '../defender/alert.js';
import { RARE_DOMAINS, REMOTE_IPS, type AlertTemplate } from './demo-catalog.js';
import type { DemoDevice, DemoUser } from './demo-fleet.js';
import type { DemoRandom } from './demo-random.js';

/** What one alert's evidence is about. */
export interface EvidenceContext {
  rnd: DemoRandom;
  template: AlertTemplate;
  severity: AlertSeverity | string;
  device: DemoDevice;
  user: DemoUser;
  /** When the evidence was recorded (ISO). */
  at: string;
  /** Replaces file names and command lines with attacker-controlled text when set. */
  hostileText?: string;
}

const TYPE = (kind: string) => `#microsoft.graph.security.${kind}`;

const base = (ctx: EvidenceContext, kind: string, roles: string[] = []) => ({
  '@odata.type': TYPE(kind),
  createdDateTime: ctx.at,
  verdict: 'suspicious',
  remediationStatus: 'none',
  remediationStatusDetails: null,
  roles,
  detailedRoles: [] as string[],
  tags: [] as string[],
});

function account(user: DemoUser): UserAccount {
  return {
    accountName: user.accountName,
    domainName: user.domainName,
    userSid: user.userSid,
    azureAdUserId: user.azureAdUserId,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
  };
}

function fileDetails(ctx: EvidenceContext, fileName: string, filePath: string): FileDetails {
  return {
    sha1: ctx.rnd.hex(40),
    sha256: ctx.rnd.hex(64),
    fileName,
    filePath,
    fileSize: ctx.rnd.int(20_000, 4_000_000),
    filePublisher: null,
    signer: null,
    issuer: null,
  };
}

function fill(template: string, ctx: EvidenceContext, fileName: string): string {
  return template
    .replaceAll('{user}', ctx.user.accountName)
    .replaceAll('{domain}', ctx.user.domainName)
    .replaceAll('{host}', ctx.device.hostName)
    .replaceAll('{file}', fileName);
}

function chosenFile(ctx: EvidenceContext): { fileName: string; filePath: string } {
  const file = ctx.template.files ? ctx.rnd.pick(ctx.template.files) : { fileName: 'payload.exe', filePath: 'C:\\Users\\{user}\\AppData\\Local\\Temp' };
  return { fileName: ctx.hostileText ?? file.fileName, filePath: fill(file.filePath, ctx, file.fileName) };
}

const RISK_BY_SEVERITY: Record<string, string> = { high: 'high', medium: 'medium', low: 'low', informational: 'informational' };

function deviceEvidence(ctx: EvidenceContext): AlertEvidence {
  const d = ctx.device;
  return {
    ...base(ctx, 'deviceEvidence', ctx.template.deviceRole === 'domainController' ? ['attacked'] : ['compromised']),
    deviceDnsName: ctx.hostileText ? `${ctx.hostileText}.${d.dnsName}` : d.dnsName,
    hostName: d.hostName,
    ntDomain: ctx.user.domainName,
    dnsDomain: d.dnsName.slice(d.hostName.length + 1),
    mdeDeviceId: d.mdeDeviceId,
    azureAdDeviceId: d.azureAdDeviceId,
    osPlatform: d.osPlatform,
    osBuild: d.osBuild,
    version: d.version,
    healthStatus: 'active',
    riskScore: RISK_BY_SEVERITY[ctx.severity] ?? 'none',
    rbacGroupId: d.rbacGroupId,
    rbacGroupName: d.rbacGroupName,
    onboardingStatus: 'onboarded',
    defenderAvStatus: 'updated',
    ipInterfaces: [d.ipAddress],
    loggedOnUsers: [{ accountName: ctx.user.accountName, domainName: ctx.user.domainName }],
    vmMetadata: null,
    firstSeenDateTime: new Date(d.firstSeenMs).toISOString(),
  };
}

function processEvidence(ctx: EvidenceContext): AlertEvidence {
  const file = chosenFile(ctx);
  const line = ctx.hostileText ?? fill(ctx.rnd.pick(ctx.template.commandLines ?? ['cmd.exe /c whoami /all']), ctx, file.fileName);
  const image = (line.match(/^"?([^" ]+?\.exe)/i)?.[1] ?? 'cmd.exe').split('\\').pop() ?? 'cmd.exe';
  return {
    ...base(ctx, 'processEvidence', ['suspicious']),
    processId: ctx.rnd.int(400, 30_000),
    parentProcessId: ctx.rnd.int(400, 30_000),
    processCommandLine: line,
    processCreationDateTime: ctx.at,
    parentProcessCreationDateTime: ctx.at,
    imageFile: fileDetails(ctx, image, 'C:\\Windows\\System32'),
    parentProcessImageFile: fileDetails(ctx, 'explorer.exe', 'C:\\Windows'),
    userAccount: account(ctx.user),
    detectionStatus: 'detected',
    mdeDeviceId: ctx.device.mdeDeviceId,
  };
}

function opaqueEvidence(ctx: EvidenceContext, need: 'mailbox' | 'cloudApp'): AlertEvidence {
  if (need === 'mailbox') {
    return { ...base(ctx, 'mailboxEvidence', ['contextual']), primaryAddress: ctx.user.userPrincipalName, displayName: ctx.user.displayName, userAccount: account(ctx.user) };
  }
  return { ...base(ctx, 'cloudApplicationEvidence', ['contextual']), appId: 20892, displayName: 'Microsoft SharePoint Online', instanceId: 0, instanceName: 'Microsoft SharePoint Online', saasAppId: 20892 };
}

/** The evidence list a template asks for, in the order Defender usually lists it. */
export function buildEvidence(ctx: EvidenceContext): AlertEvidence[] {
  return ctx.template.evidence.map((need): AlertEvidence => {
    switch (need) {
      case 'device':
        return deviceEvidence(ctx);
      case 'user':
        return { ...base(ctx, 'userEvidence', ['compromised']), userAccount: account(ctx.user) };
      case 'file': {
        const file = chosenFile(ctx);
        return { ...base(ctx, 'fileEvidence'), fileDetails: fileDetails(ctx, file.fileName, file.filePath), detectionStatus: ctx.rnd.pick(['detected', 'blocked', 'prevented']), mdeDeviceId: ctx.device.mdeDeviceId };
      }
      case 'process':
        return processEvidence(ctx);
      case 'ip':
        return { ...base(ctx, 'ipEvidence', ['destination']), ipAddress: ctx.rnd.pick(REMOTE_IPS), countryLetterCode: ctx.rnd.pick(['NL', 'RU', 'US', 'SG']) };
      case 'url':
        return { ...base(ctx, 'urlEvidence', ['destination']), url: `https://${ctx.rnd.pick(RARE_DOMAINS)}/${ctx.rnd.hex(8)}` };
      default:
        return opaqueEvidence(ctx, need);
    }
  });
}
