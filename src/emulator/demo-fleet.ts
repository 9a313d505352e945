import { DEVICE_GROUPS, FIRST_NAMES, LAST_NAMES, type DeviceRole } from './demo-catalog.js';
import { DemoRandom } from './demo-random.js';

/** A customer tenant the demo data is generated for. */
export interface DemoTenant {
  tenantId: string;
  /** The tenant's DNS domain, e.g. contoso.com; device names and UPNs live in it. */
  domain: string;
  orgName: string;
}

/** One onboarded device of a demo tenant. */
export interface DemoDevice {
  role: DeviceRole;
  hostName: string;
  dnsName: string;
  osPlatform: string;
  osBuild: number;
  version: string;
  mdeDeviceId: string;
  azureAdDeviceId: string;
  rbacGroupName: string;
  rbacGroupId: number;
  ipAddress: string;
  firstSeenMs: number;
}

/** One user of a demo tenant. */
export interface DemoUser {
  accountName: string;
  domainName: string;
  userPrincipalName: string;
  displayName: string;
  userSid: string;
  azureAdUserId: string;
}

/** The devices and users of a demo tenant; the same tenant always has the same fleet. */
export interface DemoFleet {
  devices: DemoDevice[];
  users: DemoUser[];
}

type Group = (typeof DEVICE_GROUPS)[keyof typeof DEVICE_GROUPS];

const SERVER_OS = [['WindowsServer2022', 20348, '21H2'], ['WindowsServer2019', 17763, '1809']] as const;
const CLIENT_OS = [['Windows11', 22631, '23H2'], ['Windows10', 19045, '22H2']] as const;

/** NetBIOS-style domain name: the domain's first label, upper case, at most 15 characters. */
export function netbiosName(domain: string): string {
  return (domain.split('.')[0] ?? domain).toUpperCase().slice(0, 15);
}

/** Builds the tenant's fleet from its id, so every generator call agrees on device and user names. */
export function tenantFleet(tenant: DemoTenant): DemoFleet {
  const rnd = new DemoRandom(`fleet:${tenant.tenantId}`);
  const base = Date.parse('2025-06-01T08:00:00Z');
  const device = (role: DeviceRole, hostName: string, group: Group): DemoDevice => {
    const [osPlatform, osBuild, version] = role === 'workstation' ? rnd.pick(CLIENT_OS) : rnd.pick(SERVER_OS);
    return {
      role,
      hostName,
      dnsName: `${hostName}.${tenant.domain}`,
      osPlatform,
      osBuild,
      version,
      mdeDeviceId: rnd.hex(40),
      azureAdDeviceId: rnd.guid(),
      rbacGroupName: group.rbacGroupName,
      rbacGroupId: group.rbacGroupId,
      ipAddress: `10.${rnd.int(0, 40)}.${rnd.int(0, 255)}.${rnd.int(2, 250)}`,
      firstSeenMs: base + rnd.int(0, 120) * 86_400_000,
    };
  };
  const devices: DemoDevice[] = [
    device('domainController', 'dc01', DEVICE_GROUPS.servers),
    device('domainController', 'dc02', DEVICE_GROUPS.servers),
    device('server', 'fs01', DEVICE_GROUPS.servers),
    device('server', 'sql01', DEVICE_GROUPS.servers),
    device('server', 'app-legacy01', DEVICE_GROUPS.unassigned),
  ];
  for (let i = 1; i <= 8; i++) devices.push(device('workstation', `ws-${String(100 + i * 7).padStart(4, '0')}`, DEVICE_GROUPS.workstations));
  for (let i = 1; i <= 4; i++) devices.push(device('workstation', `fin-lt-${String(i).padStart(2, '0')}`, DEVICE_GROUPS.financeLaptops));
  devices.push(device('workstation', 'ws-new-0999', DEVICE_GROUPS.unassigned));
  return { devices, users: tenantUsers(tenant, rnd) };
}

function tenantUsers(tenant: DemoTenant, rnd: DemoRandom): DemoUser[] {
  const users: DemoUser[] = [];
  const seen = new Set<string>();
  while (users.length < 10) {
    const first = rnd.pick(FIRST_NAMES);
    const last = rnd.pick(LAST_NAMES);
    const accountName = `${first}.${last}`.toLowerCase();
    if (seen.has(accountName)) continue;
    seen.add(accountName);
    users.push({
      accountName,
      domainName: netbiosName(tenant.domain),
      userPrincipalName: `${accountName}@${tenant.domain}`,
      displayName: `${first} ${last}`,
      userSid: `S-1-5-21-${rnd.digits(10)}-${rnd.digits(10)}-${rnd.digits(10)}-${rnd.int(1100, 9999)}`,
      azureAdUserId: rnd.guid(),
    });
  }
  return users;
}

/** Devices fit for a detection: servers, domain controllers or client machines. */
export function devicesFor(fleet: DemoFleet, role: DeviceRole | undefined): DemoDevice[] {
  if (role === undefined) return fleet.devices;
  const fitting = fleet.devices.filter((d) => d.role === role);
  return fitting.length > 0 ? fitting : fleet.devices;
}
