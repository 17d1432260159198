import type { BadOutputKind } from "../faults.ts";
import type { SimChoice, SimRequest } from "../protocols/types.ts";
import { newId } from "./ids.ts";

/** The 200 OK answers a gateway must not pass off as good ones. */
export function badOutputChoices(kind: BadOutputKind, request: SimRequest): SimChoice[] {
  switch (kind) {
    case "no_choices":
      return [];
    case "empty":
      return [textChoice("")];
    case "invalid_json":
      return [textChoice("Sure! Here is the JSON you asked for.")];
    case "schema_mismatch":
      return [textChoice('{"unexpected": true}')];
    case "unknown_tool":
      return [toolChoice("not_an_offered_tool", {})];
    case "invalid_tool_args":
      // Text wires get broken JSON; object wires (Anthropic input, Gemini args) an object missing the required fields.
      return [toolChoice(request.tools[0]?.name ?? "lookup", { unexpected: true }, '{"city": ')];
  }
}

const textChoice = (text: string): SimChoice => ({ parts: [{ type: "text", text }], finish: "stop" });

function toolChoice(name: string, args: Record<string, unknown>, rawArguments?: string): SimChoice {
  return {
    parts: [
      { type: "tool_call", id: newId(), name, arguments: args, ...(rawArguments !== undefined && { rawArguments }) },
    ],
    finish: "tool_calls",
  };
}
