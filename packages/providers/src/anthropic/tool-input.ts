/** The key under which tool-call arguments that are not a JSON object travel, verbatim. */
export const UNPARSED_ARGUMENTS_KEY = "_unparsed_arguments";

/**
 * A tool call's arguments (JSON text) as Anthropic's `input`, which must be
 * an object. No arguments are `{}`. Arguments that are not an object — a
 * malformed call a model wrote in an earlier turn — keep their text under one
 * key, so the model still sees what was called, rather than failing a
 * conversation that every other protocol can carry.
 */
export function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: kept verbatim below.
  }
  return { [UNPARSED_ARGUMENTS_KEY]: args };
}
