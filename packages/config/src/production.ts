import type { EnvReference, Resolved } from "./env-reference.ts";

/**
 * What production mode (isProduction) refuses at start-up, as problems that
 * name the key and the fix. A demo's conveniences — `env:NAME:-default` (the
 * public demo keys) and tiers served by the simulator — must never reach a
 * deployment just because a variable was left unset or empty.
 */
const demoHint = "(for a local demo, set BREAKWATER_ENV=development)";

/** Why production refuses a resolved secret, or undefined when it may be used. Never quotes a value. */
export function refusedSecret(
  path: string,
  ref: EnvReference,
  resolved: Extract<Resolved, { kind: "set" }>,
): string | undefined {
  if (resolved.usedFallback) {
    return `${path}: ${ref.name} is not set, and production mode refuses the built-in default; export ${ref.name} ${demoHint}`;
  }
  const value = resolved.secret.reveal();
  if (value.trim() === "") return `${path}: ${ref.name} is blank; export a real value`;
  if (value === ref.fallback) {
    return `${path}: ${ref.name} is the public default written in the configuration; export a value of your own`;
  }
  return undefined;
}

/** A tier or judge whose key is unset would be served by the simulator (`simulator: auto`). */
export function refusedSimulated(path: string, reference: string): string {
  return `${path}.api_key: ${reference} is not set, and production mode refuses to serve it from the built-in simulator (simulator: auto); export the key or remove the entry ${demoHint}`;
}
