/** An Entra tenant or object id: a GUID in the 8-4-4-4-12 hex form, either case. */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A GUID in lower case only, as SOC Bridge stores tenant ids. */
export const LOWER_CASE_GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Teams conversation ids: `19:…@thread.tacv2`, `19:…@unq.gbl.spaces`, `a:…`. */
export function isConversationId(value: string): boolean {
  if (/^a:\S+$/.test(value)) return true;
  return /^\d{1,2}:\S+$/.test(value) && (!value.includes('@') || /@(thread\.|unq\.gbl)/i.test(value));
}
