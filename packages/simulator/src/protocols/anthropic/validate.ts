import { asRecord, BadRequest } from "../types.ts";
import { blocksOf, toolUseIds } from "./blocks.ts";

type Message = Record<string, unknown>;

/**
 * The structural rules the Messages API enforces, with its error texts.
 * `countOnly`: count_tokens takes no max_tokens.
 */
export function validateMessages(b: Record<string, unknown>, countOnly: boolean): void {
  if (typeof b.model !== "string") throw new BadRequest("model: Field required");
  if (!Array.isArray(b.messages)) throw new BadRequest("messages: Field required");
  if (!countOnly && typeof b.max_tokens !== "number") throw new BadRequest("max_tokens: Field required");
  validateThinking(b, countOnly);
  validateTurns(b.messages.map(asRecord));
}

function validateThinking(b: Record<string, unknown>, countOnly: boolean): void {
  const thinking = asRecord(b.thinking);
  if (thinking.type === "enabled") {
    const budget = thinking.budget_tokens;
    if (typeof budget !== "number") throw new BadRequest("thinking.enabled.budget_tokens: Field required");
    if (budget < 1024) {
      throw new BadRequest("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
    }
    if (!countOnly && budget >= Number(b.max_tokens)) {
      throw new BadRequest(
        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size",
      );
    }
  }
  const forced = ["any", "tool"].includes(String(asRecord(b.tool_choice).type));
  if ((thinking.type === "enabled" || thinking.type === "adaptive") && forced) {
    throw new BadRequest("Thinking may not be enabled when tool_choice forces tool use.");
  }
}

/**
 * User and assistant alternate, starting with the user (system-role messages
 * aside); a tool_use is answered by tool_result blocks that open the very next
 * message. Indexes in the messages count every message, as the API's do.
 */
function validateTurns(messages: Message[]): void {
  const turns = messages.map((message, index) => ({ message, index })).filter((turn) => turn.message.role !== "system");
  turns.forEach(({ message, index }, position) => {
    const previous = turns[position - 1];
    if (!previous && message.role !== "user") throw new BadRequest('messages: first message must use the "user" role');
    if (previous && previous.message.role === message.role) {
      throw new BadRequest(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${String(message.role)}" roles in a row`,
      );
    }
    if (message.role === "user") validateToolResults(message, index, previous);
  });
}

function validateToolResults(message: Message, index: number, previous?: { message: Message; index: number }): void {
  const blocks = blocksOf(message.content);
  const expected = previous ? toolUseIds(previous.message.content) : [];
  blocks.forEach((block, position) => {
    if (block.type === "tool_result" && !expected.includes(block.tool_use_id)) {
      throw new BadRequest(
        `messages.${index}.content.${position}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
  });
  if (!previous || expected.length === 0) return;
  const firstOther = blocks.findIndex((block) => block.type !== "tool_result");
  if (firstOther !== -1 && blocks.slice(firstOther).some((block) => block.type === "tool_result")) {
    throw new BadRequest(
      `messages.${index}: Did not find ${expected.length} \`tool_result\` block(s) at the beginning of this message. Messages following \`tool_use\` blocks must begin with a matching number of \`tool_result\` blocks.`,
    );
  }
  const answered = blocks.map((block) => block.tool_use_id);
  const missing = expected.filter((id) => !answered.includes(id));
  if (missing.length > 0) {
    throw new BadRequest(
      `messages.${previous.index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
    );
  }
}
