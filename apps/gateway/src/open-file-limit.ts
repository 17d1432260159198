import { readFileSync } from "node:fs";

/**
 * The process's soft limit on open files (`ulimit -n`), from Linux's
 * /proc/self/limits; undefined elsewhere, or when unlimited. Every connection,
 * upstream socket and store connection takes one.
 */
export function openFileLimit(
  read: () => string = () => readFileSync("/proc/self/limits", "utf8"),
): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined; // not Linux: the caller uses its fixed default
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  const limit = soft === undefined ? Number.NaN : Number(soft);
  return Number.isInteger(limit) && limit > 0 ? limit : undefined;
}
