import { asArray, asRecord } from "../types.ts";

export type Block = Record<string, unknown>;

/** A message's content as blocks: a string is shorthand for one text block. */
export const blocksOf = (content: unknown): Block[] =>
  typeof content === "string" ? [{ type: "text", text: content }] : asArray(content).map(asRecord);

/** Text a block contributes to the prompt: its own text, or a tool result's. */
export function blockText(block: Block): string {
  if (block.type === "tool_result") return blocksOf(block.content).map(blockText).join("");
  return typeof block.text === "string" ? block.text : "";
}

export const toolUseIds = (content: unknown): unknown[] =>
  blocksOf(content)
    .filter((block) => block.type === "tool_use")
    .map((block) => block.id);
