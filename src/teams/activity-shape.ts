import { z } from 'zod/v4';

/**
 * The fields of an incoming activity that botbuilder or the bot read, with the types
 * Teams sends them in. botbuilder trusts them blindly: a `serviceUrl` that is an object makes it
 * throw (HTTP 500 with its own message), a `text` that is an object fails the turn. So the body
 * is checked here, before botbuilder sees it. Other fields pass through untouched; a field that
 * is absent stays absent, but one that is present (even `null`) must have its type.
 */
const nonEmptyText = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const optionalText = z.string({ error: 'must be a string' }).optional();
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

const httpUrl = z.string({ error: 'must be a string (an http or https URL)' }).refine(isHttpUrl, { error: 'must be an http or https URL' });

const account = z.looseObject(
  { id: nonEmptyText, name: optionalText, aadObjectId: optionalText },
  { error: 'must be a JSON object with an "id"' },
);

const ActivityShape = z.looseObject({
  serviceUrl: httpUrl,
  channelId: optionalText,
  conversation: z.looseObject(
    { id: nonEmptyText, conversationType: optionalText, tenantId: optionalText, name: optionalText, isGroup: z.boolean({ error: 'must be true or false' }).optional() },
    { error: 'must be a JSON object with an "id"' },
  ),
  from: account,
  recipient: account,
  text: optionalText,
  value: jsonObject.optional(),
  name: optionalText,
  action: optionalText,
  replyToId: optionalText,
  channelData: jsonObject.optional(),
  entities: z.array(jsonObject, { error: 'must be an array' }).optional(),
  membersAdded: z.array(account, { error: 'must be an array' }).optional(),
  membersRemoved: z.array(account, { error: 'must be an array' }).optional(),
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Whether a request body may go on to botbuilder, and if not, one short sentence saying why. */
export type ShapeVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Checks a `POST /api/messages` body: a JSON object with a `type`, and the fields above of the right types. */
export function checkActivityShape(body: unknown): ShapeVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string' || (body as { type: string }).type === '') {
    return { ok: false, reason: 'The body must be a Bot Framework activity: a JSON object with a "type".' };
  }
  const parsed = ActivityShape.safeParse(body);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const problem = valueAt(body, path) === undefined ? 'is missing' : (issue?.message ?? 'is invalid');
  return { ok: false, reason: `Invalid activity: "${path.map(String).join('.')}" ${problem}.` };
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node = body;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}
