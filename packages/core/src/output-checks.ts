/**
 * The "bad 200" checks: answers that arrive as a success but cannot be what
 * the client asked for, each a failure of class bad_output. Each can be
 * switched off per route (routes.<name>.output_checks); the checks themselves
 * live in @breakwater/providers.
 */
export const OUTPUT_CHECKS = [
  "no_choices",
  "empty",
  "unknown_tool",
  "tool_arguments",
  "json",
  "parallel_tool_calls",
] as const;

export type OutputCheck = (typeof OUTPUT_CHECKS)[number];
export type OutputChecks = Readonly<Record<OutputCheck, boolean>>;

export const ALL_OUTPUT_CHECKS: OutputChecks = {
  no_choices: true,
  empty: true,
  unknown_tool: true,
  tool_arguments: true,
  json: true,
  parallel_tool_calls: true,
};
