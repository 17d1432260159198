import type { ReplyPart, SimChoice } from "./types.ts";

export type ToolCallPart = Extract<ReplyPart, { type: "tool_call" }>;
export type ReasoningPart = Extract<ReplyPart, { type: "reasoning" }>;

/** The choice's answer text (all text parts). */
export const textOfChoice = (choice: SimChoice): string =>
  choice.parts.map((part) => (part.type === "text" ? part.text : "")).join("");

export const toolCallsOf = (choice: SimChoice): ToolCallPart[] =>
  choice.parts.filter((part): part is ToolCallPart => part.type === "tool_call");

export const reasoningOf = (choice: SimChoice): ReasoningPart | undefined =>
  choice.parts.find((part): part is ReasoningPart => part.type === "reasoning");

/** The arguments as the wire carries them when it carries text. */
export const argumentsJson = (call: ToolCallPart): string => call.rawArguments ?? JSON.stringify(call.arguments);

/** Splits serialized arguments into 2–3 pieces, as providers stream them. */
export function jsonPieces(json: string): string[] {
  const size = Math.max(1, Math.ceil(json.length / 3));
  const pieces: string[] = [];
  for (let start = 0; start < json.length; start += size) pieces.push(json.slice(start, start + size));
  return pieces.length > 0 ? pieces : [""];
}

/** Round-robin merge, so several choices stream side by side as the real APIs do. */
export function interleave<T>(lists: T[][]): T[] {
  const merged: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let index = 0; index < longest; index++) {
    for (const list of lists) {
      const item = list[index];
      if (item !== undefined) merged.push(item);
    }
  }
  return merged;
}
