import { z } from 'zod/v4';
import { ROLES } from '../roles/role-schema.js';
import { TENANT_HANDLE_PATTERN, TENANT_NAME_MAX } from '../tenants/tenant-schema.js';
import { GUID_PATTERN } from '../text/ids.js';

/**
 * The configuration file `config export` writes and `config apply` reads (YAML or JSON): the
 * customers' handles and names, roles, channel links and notification rules. It carries no
 * secret. `schema/soc-bridge-config.schema.json` is generated from this schema.
 */

/** The file format's version; a file of another version is refused. */
export const CONFIG_FILE_VERSION = 1;

/** Informational fields: written by export for people, ignored by apply. */
const forPeople = (what: string) => z.string().optional().describe(`For people: ${what}. Written by export, ignored by apply.`);

/** A rule option's value, exactly as typed after `key:` in chat (`rule add`). */
const ruleValue = (what: string) => z.string({ error: 'must be text, as typed after the key in chat' }).optional().describe(what);

export const TenantEntrySchema = z
  .strictObject({
    tenantId: z.string({ error: 'must be the Entra tenant id (a GUID)' }).regex(GUID_PATTERN, 'must be the Entra tenant id (a GUID)').describe('Which customer tenant this is (customers are added by onboarding, never by a file).'),
    domain: z.string().optional().describe('Its primary domain: checked against the tenant, never changed.'),
    handle: z.string({ error: 'is required: the short name used in commands' }).regex(TENANT_HANDLE_PATTERN, 'must be 1 to 40 lower-case letters, digits and dashes, starting with a letter or digit').describe('The short name used in commands, e.g. contoso.'),
    name: z.string({ error: 'is required: the customer\'s display name' }).min(1, 'must not be empty').max(TENANT_NAME_MAX, `must be at most ${TENANT_NAME_MAX} characters`).describe('The display name.'),
    status: forPeople('the tenant\'s state when exported (connected, pending-consent…)'),
  })
  .describe('A customer tenant: its handle and display name.');

export const RoleEntrySchema = z
  .strictObject({
    user: z.string({ error: 'must be the user\'s Entra object id (a GUID)' }).regex(GUID_PATTERN, 'must be the user\'s Entra object id (a GUID)').describe('The user\'s Entra object id.'),
    name: z.string().min(1).max(200).optional().describe('The user\'s display name, as `roles` shows it.'),
    role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
    tenant: z.string().min(1).optional().describe('customer-admin only: the customer (handle, tenant id or domain) they are limited to.'),
  })
  .describe('A role assignment (bootstrap admins come from SOC_ADMIN_IDS and are not listed).');

export const LinkEntrySchema = z
  .strictObject({
    conversation: z.string({ error: 'must be a Teams conversation id' }).min(1).describe('The Teams conversation id (`channels` shows it), e.g. 19:…@thread.tacv2.'),
    name: forPeople('the team and channel, or the group chat\'s title'),
    tenants: z.string({ error: 'must name the customers, comma-separated (e.g. contoso,fabrikam)' }).min(1).describe('The customers whose alerts go there, comma-separated (handles, tenant ids or domains).'),
  })
  .describe('A conversation that receives customers\' alerts (what `link` makes).');

export const RuleEntrySchema = z
  .strictObject({
    id: z.string().regex(/^r[a-z0-9]{1,12}$/, 'must be a rule id such as r7kq (leave it out for a new rule)').optional().describe('The rule\'s id; leave it out for a new rule (an entry without id matches the rule of the same name).'),
    name: z.string({ error: 'is required: the rule\'s name' }).describe('The rule\'s name (unique).'),
    tenants: ruleValue('tenants: all, or customers comma-separated.'),
    except: ruleValue('except: every customer but these.'),
    severity: ruleValue('severity: high,medium | medium+ | any. Default medium+.'),
    groups: ruleValue('groups: device groups.'),
    source: ruleValue('source: service sources.'),
    detection: ruleValue('detection: detection sources.'),
    category: ruleValue('category: Defender categories.'),
    title: ruleValue('title: text the alert title contains.'),
    to: ruleValue('to: channels, a conversation id, email addresses, webhook:<name>. Default channels.'),
    mode: ruleValue('mode: teams,email,webhook | both | all.'),
    include: ruleValue('include: org,link,devices | none. Default all three.'),
    group: ruleValue('group: incident (one card per incident, later alerts in its thread) | alert (one card per alert). Default incident.'),
    notify: ruleValue('notify: every | first (only the first alert of each incident). Default every.'),
    enabled: z.union([z.boolean(), z.enum(['yes', 'no'])], { error: 'must be true or false' }).optional().describe('false pauses the rule. Default true.'),
    escalate: ruleValue('escalate: how long a matching alert may stay new and unowned before a follow-up, e.g. 15m or 15m,60m (two levels at most). Default none.'),
    'escalate-to': ruleValue('escalate-to: the people the follow-up mentions (Entra object ids, each holding the analyst or admin role) and at most one linked channel (conversation id) it goes to instead of the card\'s thread.'),
  })
  .describe('A notification rule, in the keys and values of `rule add`; a key left out takes the default `rule add` gives it.');

/** The whole file: `version` and the sections to apply. */
export const ConfigFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(CONFIG_FILE_VERSION, { error: `must be ${CONFIG_FILE_VERSION}` }),
    tenants: z.array(TenantEntrySchema, { error: 'must be a list' }).optional().describe('Handles and names of existing customers; customers not listed are left as they are.'),
    roles: z.array(RoleEntrySchema, { error: 'must be a list' }).optional().describe('Every stored role: the section replaces them.'),
    links: z.array(LinkEntrySchema, { error: 'must be a list' }).optional().describe('Every channel link: the section replaces them.'),
    rules: z.array(RuleEntrySchema, { error: 'must be a list' }).optional().describe('Every notification rule: the section replaces them.'),
  })
  .describe('SOC Bridge configuration (config export / diff / apply). A section left out is left as it is.');

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type TenantEntry = z.infer<typeof TenantEntrySchema>;
export type RoleEntry = z.infer<typeof RoleEntrySchema>;
export type LinkEntry = z.infer<typeof LinkEntrySchema>;
export type RuleEntry = z.infer<typeof RuleEntrySchema>;

/** The sections a file may hold, in file order. */
export const CONFIG_SECTIONS = ['tenants', 'roles', 'links', 'rules'] as const;
export type ConfigSection = (typeof CONFIG_SECTIONS)[number];

/** Each section's entry schema. */
export const ENTRY_SCHEMAS = { tenants: TenantEntrySchema, roles: RoleEntrySchema, links: LinkEntrySchema, rules: RuleEntrySchema } as const satisfies Record<ConfigSection, unknown>;
