import type { Alert, AlertEvidence } from '../../src/defender/alert.js';

/** Text of `length` characters, mixing ASCII, accented letters, CJK and an emoji (two UTF-16 units). */
export function longText(prefix: string, length: number): string {
  const filler = ' Ünïcødé 漢字 🙂 [x](https://evil.example) ${x}';
  let text = prefix;
  while (text.length < length) text += filler;
  return text.slice(0, length);
}

const device = (i: number): AlertEvidence =>
  ({
    '@odata.type': '#microsoft.graph.security.deviceEvidence',
    deviceDnsName: `${longText(`workstation-${i}`, 240)}.contoso.example`,
    osPlatform: 'Windows11',
    rbacGroupName: longText(`Group ${i}`, 120),
    mdeDeviceId: `mde-${i}`,
  }) as AlertEvidence;

const user = (i: number): AlertEvidence =>
  ({ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: `${longText(`user-${i}`, 200)}@contoso.example`, accountName: `user-${i}` } }) as AlertEvidence;

const file = (i: number): AlertEvidence =>
  ({ '@odata.type': '#microsoft.graph.security.fileEvidence', fileDetails: { fileName: longText(`payload-${i}`, 255), sha256: 'a'.repeat(64) } }) as AlertEvidence;

/** Windows allows command lines of up to 32,767 characters. */
const processWith = (i: number): AlertEvidence =>
  ({ '@odata.type': '#microsoft.graph.security.processEvidence', processId: i, processCommandLine: longText(`powershell.exe -enc ${i} `, 32_767) }) as AlertEvidence;

/**
 * The largest alert a customer tenant could send: a 200 KB title and description, long owner and
 * category, hundreds of devices, users and files with long names, processes with maximal command
 * lines, hundreds of MITRE techniques and hundreds of long comments. Every text mixes in link and
 * template syntax and non-ASCII characters.
 */
export function oversizedAlert(base: Alert): Alert {
  return {
    ...base,
    title: longText('Ransomware behavior detected ', 200_000),
    description: longText('An encoded command ran. ', 200_000),
    category: longText('Execution', 10_000),
    assignedTo: `${longText('analyst', 5_000)}@mssp.example`,
    mitreTechniques: Array.from({ length: 300 }, (_, i) => `T${1000 + i}.${longText('001', 60)}`),
    comments: Array.from({ length: 200 }, (_, i) => ({ comment: longText(`Comment ${i}: `, 2_000), createdByDisplayName: longText(`Analyst ${i}`, 300), createdDateTime: base.createdDateTime })),
    evidence: [
      ...Array.from({ length: 400 }, (_, i) => device(i)),
      ...Array.from({ length: 200 }, (_, i) => user(i)),
      ...Array.from({ length: 200 }, (_, i) => file(i)),
      ...Array.from({ length: 20 }, (_, i) => processWith(i)),
    ],
  };
}
