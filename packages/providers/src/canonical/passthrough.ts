import type { Passthrough } from "./model.ts";

/**
 * Values that ask for exactly what not sending the field gives (in any of the
 * protocols): nothing to carry, so nothing to restrict the request for.
 */
const isNeutral = (name: string, value: unknown) =>
  value === null ||
  (name === "modalities" && Array.isArray(value) && value.length === 1 && value[0] === "text") ||
  (name === "store" && value === false) ||
  (name === "service_tier" && (value === "auto" || value === "default"));

/**
 * The top-level fields of an inbound body that its converter does not model:
 * `hinted` ones (billing, caching, logging) as hints, the rest as fields that
 * only a tier of the client's protocol can carry (see Passthrough).
 */
export function passthroughOf(
  body: Record<string, unknown>,
  known: ReadonlySet<string>,
  hinted: ReadonlySet<string>,
): Omit<Passthrough, "protocol"> {
  const passthrough: Omit<Passthrough, "protocol"> = { fields: {}, hints: {} };
  for (const [name, value] of Object.entries(body)) {
    if (known.has(name) || value === undefined || isNeutral(name, value)) continue;
    if (hinted.has(name)) passthrough.hints[name] = value;
    else passthrough.fields[name] = value;
  }
  return passthrough;
}
