import { describe, expect, it } from '@jest/globals';
import { COMMAND_NAMES, COMMANDS, type CommandName } from '../src/commands/catalog.js';
import { parseCommand } from '../src/commands/parse.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { inflateSync } from 'node:zlib';
import { PLAYGROUND_USER_OBJECT_ID } from '../src/config.js';
import { projectRoot } from '../src/paths.js';

// The Teams app package, the toolkit project files and the Playground configuration are only
// checked by Microsoft's services at provision time; these checks catch mistakes before that.

const readText = (relative: string) => readFileSync(join(projectRoot, relative), 'utf8');

interface CommandList {
  scopes: string[];
  commands: { title: string; description: string }[];
}

interface Manifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: {
    botId: string;
    scopes: string[];
    supportsFiles?: boolean;
    isNotificationOnly?: boolean;
    commandLists?: CommandList[];
  }[];
  validDomains?: string[];
  permissions?: string[];
}

const manifestText = readText('appPackage/manifest.json');
const manifest = JSON.parse(manifestText) as Manifest;

const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const placeholdersIn = (text: string) => [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
const envKeys = (relative: string) => Object.keys(parseEnv(readText(relative)));

/**
 * The command menu (at most 12 commands per scope) shows what each scope's users most need; every
 * other command is reached through help and the cards' buttons, for the reason given here. A new
 * command must find its place in a menu or in this list.
 */
const LEFT_TO_HELP: Readonly<Partial<Record<CommandName, string>>> = {
  roles: 'admin only and rare; help lists it to admins',
  'role grant': 'admin only and rare; help lists it to admins',
  'role revoke': 'admin only and rare; help lists it to admins',
  offboard: 'rare and final; help lists it to admins',
  'rule add': 'long syntax: the menu offers "rule new", whose form fills the same fields',
  'rule edit': 'the rules card has an Edit button on each rule',
  'rule pause': 'the rules card has a Pause button on each rule',
  'rule resume': 'the rules card has a Resume button on each paused rule',
  'rule test': 'the rules card has a Send test button on each rule',
  'rule remove': 'rare; the rules card shows the ids it takes',
  stats: 'every menu already holds the 12 commands Teams allows; help lists it, with examples',
  summary: 'set once per channel by an admin; every menu is full, and help lists it to admins',
  audit: 'admin only; help lists it to admins (the personal menu gives its room to incidents)',
};
/**
 * Offered in the personal menu only: they take an id, which in a shared conversation comes from a
 * list card's row (the list commands are in every menu) or a delivered card.
 */
const PERSONAL_ONLY = ['alert', 'incident'];
/** What every scope's users need; and what only makes sense in a shared conversation, or in a 1:1 chat with the bot. */
const EVERYWHERE = ['help', 'alerts', 'incidents', 'tenants', 'status', 'channels', 'rules', 'whoami'];
const IN_SHARED_CONVERSATIONS = ['link', 'unlink'];
const NOT_IN_PERSONAL = ['link', 'soc-channel'];

/** Usage elements as written: `<display name…>` and `[since:24h|7d]` are one each. */
const usageElements = (usage: string): string[] => [...(usage.match(/<[^>]*>|\[[^\]]*\]|\S+/g) ?? [])];

describe('app manifest', () => {
  it('targets manifest schema 1.30', () => {
    expect(manifest.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json');
    expect(manifest.manifestVersion).toBe('1.30');
  });

  it('has a semantic version and takes its id from the environment', () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.id).toBe('${{TEAMS_APP_ID}}');
  });

  it('names the developer with https links on the bot domain', () => {
    expect(manifest.developer.name).toBe('SOC Bridge');
    for (const url of [manifest.developer.websiteUrl, manifest.developer.privacyUrl, manifest.developer.termsOfUseUrl]) {
      expect(url.startsWith('https://${{BOT_DOMAIN}}/')).toBe(true);
    }
  });

  it('keeps names and descriptions within the schema limits', () => {
    expect(manifest.name.short).toBe('SOC Bridge');
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeGreaterThan(0);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeGreaterThan(0);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeGreaterThan(manifest.description.short.length);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
  });

  it('points at both icons and has an #RRGGBB accent colour', () => {
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
  });

  it('declares one conversational bot in personal, team and group chat scope', () => {
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots;
    expect(bot?.botId).toBe('${{BOT_ID}}');
    expect([...(bot?.scopes ?? [])].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot?.supportsFiles).toBe(false);
    expect(bot?.isNotificationOnly).toBe(false);
  });

  it('keeps command lists within the limits Teams enforces', () => {
    const lists = manifest.bots[0]?.commandLists ?? [];
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.length).toBeLessThanOrEqual(3);
    for (const list of lists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(12);
      const titles = list.commands.map((c) => c.title);
      expect(new Set(titles).size).toBe(titles.length);
      for (const command of list.commands) {
        expect(command.title.length).toBeGreaterThan(0);
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeGreaterThan(0);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('gives each scope the bot is installed in one list of its own', () => {
    const lists = manifest.bots[0]?.commandLists ?? [];
    const covered = lists.flatMap((l) => l.scopes).sort();
    expect(covered).toEqual([...(manifest.bots[0]?.scopes ?? [])].sort());
    expect(lists.every((l) => l.scopes.length === 1)).toBe(true);
  });

  it('offers real commands, each parsed as itself when picked from the menu', () => {
    for (const { commands } of manifest.bots[0]?.commandLists ?? []) {
      for (const { title } of commands) {
        expect(COMMAND_NAMES).toContain(title);
        const parsed = parseCommand({ text: title, mentions: [] });
        expect(parsed.ok ? parsed.command.name : parsed.kind === 'usage' ? parsed.command : `unknown: ${title}`).toBe(title);
      }
    }
  });

  it("describes each command with the grammar's own usage: its required arguments, and no option the grammar lacks", () => {
    for (const { commands } of manifest.bots[0]?.commandLists ?? []) {
      for (const { title, description } of commands) {
        const [usage = '', meaning] = description.split(' — ');
        expect(meaning?.length).toBeGreaterThan(0);
        const shown = usageElements(usage);
        const grammar = usageElements(COMMANDS.find((c) => c.name === title)?.usage ?? '');
        expect(shown.slice(0, title.split(' ').length).join(' ')).toBe(title);
        expect(shown.filter((element) => !grammar.includes(element))).toEqual([]);
        expect(grammar.filter((element) => element.startsWith('<') && !shown.includes(element))).toEqual([]);
      }
    }
  });

  it("shows each scope's users what they most need, and nothing that refuses to work there", () => {
    const titlesFor = (scope: string) => (manifest.bots[0]?.commandLists ?? []).find((l) => l.scopes.includes(scope))?.commands.map((c) => c.title) ?? [];
    for (const scope of ['personal', 'team', 'groupChat']) expect(EVERYWHERE.filter((t) => !titlesFor(scope).includes(t))).toEqual([]);
    for (const scope of ['team', 'groupChat']) expect(IN_SHARED_CONVERSATIONS.filter((t) => !titlesFor(scope).includes(t))).toEqual([]);
    expect(titlesFor('team')).toContain('soc-channel');
    for (const scope of ['personal', 'groupChat']) expect(titlesFor(scope)).toEqual(expect.arrayContaining(['onboard', 'consent']));
    expect(titlesFor('personal').filter((t) => NOT_IN_PERSONAL.includes(t))).toEqual([]);
    expect(PERSONAL_ONLY.filter((t) => !titlesFor('personal').includes(t))).toEqual([]);
  });

  it('places every command of the grammar in a menu or, for a stated reason, leaves it to help', () => {
    const offered = new Set((manifest.bots[0]?.commandLists ?? []).flatMap((l) => l.commands.map((c) => c.title)));
    expect(COMMAND_NAMES.filter((name) => !offered.has(name) && !LEFT_TO_HELP[name])).toEqual([]);
    expect(Object.keys(LEFT_TO_HELP).filter((name) => offered.has(name))).toEqual([]);
  });

  it('allows the bot domain and asks for the identity and team-messaging permissions', () => {
    expect(manifest.validDomains).toEqual(['${{BOT_DOMAIN}}']);
    expect([...(manifest.permissions ?? [])].sort()).toEqual(['identity', 'messageTeamMembers']);
  });

  it('uses only placeholders that both environments define', () => {
    const used = placeholdersIn(manifestText);
    expect(used).toEqual(['BOT_DOMAIN', 'BOT_ID', 'TEAMS_APP_ID']);
    for (const envFile of ['env/.env.dev', 'env/.env.local']) {
      const defined = envKeys(envFile);
      expect(used.filter((name) => !defined.includes(name))).toEqual([]);
    }
  });
});

describe('toolkit project files', () => {
  const teamsapp = readText('teamsapp.yml');
  const local = readText('teamsapp.local.yml');
  const topLevelKeys = (yaml: string) => [...yaml.matchAll(/^([A-Za-z]+):/gm)].map((m) => m[1]);
  // Each lifecycle is a YAML list of steps: the text between its key and the next top-level key.
  const stage = (yaml: string, name: string) => yaml.split(/^(?=[A-Za-z]+:)/m).find((block) => block.startsWith(`${name}:`)) ?? '';
  const actions = (block: string) => [...block.matchAll(/^\s*- uses: (\S+)/gm)].map((m) => m[1]);

  it('teamsapp.yml has a provision, a deploy and a publish stage with steps', () => {
    expect(topLevelKeys(teamsapp)).toEqual(expect.arrayContaining(['version', 'environmentFolderPath', 'provision', 'deploy', 'publish']));
    expect(actions(stage(teamsapp, 'provision'))).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'arm/deploy',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(actions(stage(teamsapp, 'deploy'))).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
    expect(actions(stage(teamsapp, 'publish'))).toContain('teamsApp/publishAppPackage');
  });

  it('teamsapp.local.yml registers the bot at the tunnel and writes ./.env', () => {
    expect(actions(stage(local, 'provision'))).toContain('botFramework/create');
    expect(local).toContain('messagingEndpoint: ${{BOT_ENDPOINT}}/api/messages');
    expect(actions(stage(local, 'deploy'))).toEqual(['file/createOrUpdateEnvironmentFile']);
    expect(stage(local, 'deploy')).toContain('target: ./.env');
  });

  // The toolkit stops with MissingEnvironmentVariablesError on any placeholder it cannot resolve.
  it('every non-secret placeholder of an environment is declared in its env file', () => {
    const cases: [string, string[]][] = [
      ['env/.env.dev', [teamsapp, readText('infra/azure.parameters.json')]],
      ['env/.env.local', [local]],
    ];
    for (const [envFile, sources] of cases) {
      const defined = envKeys(envFile);
      const used = placeholdersIn(sources.join('\n')).filter((name) => !name.startsWith('SECRET_'));
      expect(used.length).toBeGreaterThan(0);
      expect(used.filter((name) => !defined.includes(name))).toEqual([]);
    }
  });

  it('commits no secret values', () => {
    for (const envFile of ['env/.env.dev', 'env/.env.local']) {
      const entries = Object.entries(parseEnv(readText(envFile)));
      expect(entries.filter(([key, value]) => /SECRET|PASSWORD/.test(key) && value !== '')).toEqual([]);
    }
  });
});

describe('Agents Playground configuration', () => {
  const config = readText('.m365agentsplayground.yml');
  const objectIds = [...config.matchAll(/^\s*aadObjectId: (\S+)$/gm)].map((m) => m[1] ?? '');

  it('signs in as the sandbox bootstrap admin', () => {
    expect(config).toMatch(/^version: "0\.1\.1"$/m);
    const currentUser = /^currentUser:\n((?: {2}.*\n)+)/m.exec(config)?.[1] ?? '';
    expect(currentUser).toContain('name: Alex Wilber');
    expect(currentUser).toContain(`aadObjectId: ${PLAYGROUND_USER_OBJECT_ID}`);
  });

  it('gives every user a distinct GUID object id and exactly five users besides the current one', () => {
    expect(objectIds).toHaveLength(6);
    for (const id of objectIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(objectIds).size).toBe(objectIds.length);
  });
});

// --- PNG ------------------------------------------------------------------------------------

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** Unfiltered scanlines, `width * channels` bytes each (8-bit depth only). */
  pixels?: Buffer;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readPng(file: Buffer): Png {
  expect(file.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  let offset = 8;
  let header: Omit<Png, 'pixels'> | undefined;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('ascii', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), bitDepth: data[8] ?? 0, colorType: data[9] ?? 0, interlace: data[12] ?? 0 };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (!header) throw new Error('PNG has no IHDR chunk');
  const channels = CHANNELS[header.colorType];
  if (header.bitDepth !== 8 || header.interlace !== 0 || channels === undefined) return header;
  return { ...header, pixels: unfilter(inflateSync(Buffer.concat(idat)), header.width * channels, header.height, channels) };
}

/** Reverses the per-scanline filters (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) of 8-bit images. */
function unfilter(data: Buffer, stride: number, height: number, bytesPerPixel: number): Buffer {
  expect(data.length).toBe(height * (stride + 1));
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const raw = data[y * (stride + 1) + 1 + i] ?? 0;
      const left = i >= bytesPerPixel ? (out[y * stride + i - bytesPerPixel] ?? 0) : 0;
      const up = y > 0 ? (out[(y - 1) * stride + i] ?? 0) : 0;
      const upLeft = y > 0 && i >= bytesPerPixel ? (out[(y - 1) * stride + i - bytesPerPixel] ?? 0) : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: throw new Error(`unknown PNG filter type ${String(filter)} on row ${y}`);
      }
      out[y * stride + i] = (raw + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** The pixel as [r, g, b, a], whatever the 8-bit colour type (palette images are not decoded). */
function rgbaAt(png: Png, x: number, y: number): number[] {
  const channels = CHANNELS[png.colorType] ?? 0;
  const o = (y * png.width + x) * channels;
  const p = [...(png.pixels ?? Buffer.alloc(0)).subarray(o, o + channels)];
  switch (png.colorType) {
    case 0: return [p[0] ?? 0, p[0] ?? 0, p[0] ?? 0, 255];
    case 2: return [...p, 255];
    case 4: return [p[0] ?? 0, p[0] ?? 0, p[0] ?? 0, p[1] ?? 0];
    case 6: return p;
    default: throw new Error(`colour type ${png.colorType} is not decoded here`);
  }
}

describe('app icons', () => {
  const color = readPng(readFileSync(join(projectRoot, 'appPackage', manifest.icons.color)));
  const outline = readPng(readFileSync(join(projectRoot, 'appPackage', manifest.icons.outline)));

  it('colour icon is a 192x192 full-colour PNG', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([2, 6]).toContain(color.colorType);
  });

  it('colour icon is opaque and uses more than one colour', () => {
    expect(color.pixels).toBeDefined();
    const corners = [rgbaAt(color, 0, 0), rgbaAt(color, 191, 191), rgbaAt(color, 96, 60)];
    for (const pixel of corners) expect(pixel[3]).toBe(255);
    expect(new Set(corners.map((p) => p.join(','))).size).toBeGreaterThan(1);
  });

  it('outline icon is a 32x32 PNG with an alpha channel', () => {
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect([4, 6]).toContain(outline.colorType);
    expect(outline.pixels).toBeDefined();
  });

  it('outline icon is white on a transparent background', () => {
    for (const [x, y] of [[0, 0], [31, 0], [0, 31], [31, 31]] as const) expect(rgbaAt(outline, x, y)[3]).toBe(0);
    let drawn = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const [r, g, b, a] = rgbaAt(outline, x, y);
        if ((a ?? 0) === 0) continue;
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(drawn).toBeGreaterThan(32);
    expect(drawn).toBeLessThan(32 * 32 / 2);
  });
});
