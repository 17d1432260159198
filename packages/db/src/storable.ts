/**
 * What Postgres text (and jsonb) cannot hold, made storable. Postgres refuses
 * U+0000 in text (22021) and jsonb (22P05), and an unpaired UTF-16 surrogate
 * has no UTF-8 encoding: in text it is silently mangled, in jsonb it fails the
 * insert (22P02). Text that reaches us from clients and providers may hold
 * either, and one such row must never fail a write (an audit batch, a judge
 * job). Each is replaced by U+FFFD, one UTF-16 code unit for one, so
 * `length` — and any length column computed from the original — is unchanged.
 */

// NUL, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this pattern is for.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const REPLACEMENT_CHARACTER = "\ufffd";

/** True when Postgres can store `text` exactly as it is. */
export function isStorableText(text: string): boolean {
  unstorable.lastIndex = 0;
  return !unstorable.test(text);
}

/** `text` with every character Postgres cannot hold replaced by U+FFFD; same length. */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replace(unstorable, REPLACEMENT_CHARACTER);
}

/** A JSON value (a jsonb column) with every string in it — keys too — made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)]));
  }
  return value;
}

/**
 * A row about to be inserted, every text and jsonb value made storable. Every
 * insert of this package goes through it, so a new text column is covered
 * without anyone remembering to.
 */
export function storableRow<Row extends object>(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, storableJson(value)])) as Row;
}
