import { Secret } from "./secret.ts";

/** `env:NAME` or `env:NAME:-default`; the default exists for local demo keys only. */
const envReference = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/;

export type EnvReference = { name: string; fallback?: string };

export function parseEnvReference(text: string): EnvReference | undefined {
  const match = envReference.exec(text);
  if (!match) return undefined;
  const [, name, fallback] = match;
  return fallback === undefined ? { name: name as string } : { name: name as string, fallback };
}

export type Resolved = { kind: "set"; secret: Secret; usedFallback: boolean } | { kind: "unset"; name: string };

export function resolveEnvReference(ref: EnvReference, env: Record<string, string | undefined>): Resolved {
  const value = env[ref.name];
  const source = `env:${ref.name}`;
  if (value !== undefined && value !== "") {
    return { kind: "set", secret: new Secret(value, source), usedFallback: false };
  }
  if (ref.fallback !== undefined) {
    return { kind: "set", secret: new Secret(ref.fallback, `${source} (default)`), usedFallback: true };
  }
  return { kind: "unset", name: ref.name };
}
