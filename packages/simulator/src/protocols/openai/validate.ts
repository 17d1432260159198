import { asArray, BadRequest } from "../types.ts";

type Message = Record<string, unknown>;

const callIds = (message: Message | undefined): unknown[] =>
  asArray(message?.tool_calls).map((call) => (call as Message | null)?.id);

/**
 * The pairing OpenAI enforces between an assistant's tool_calls and the `tool`
 * messages that answer them, with its own (misspelt) error texts.
 */
export function validateToolMessages(messages: Message[]): void {
  messages.forEach((message, index) => {
    if (message.role !== "tool") return;
    const caller = messages.slice(0, index).findLast((earlier) => earlier.role !== "tool");
    if (caller?.role !== "assistant" || !callIds(caller).includes(message.tool_call_id)) {
      throw new BadRequest(
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        `messages.[${index}].role`,
      );
    }
  });
  messages.forEach((message, index) => {
    if (message.role !== "assistant") return;
    const answered = new Set<unknown>();
    for (const next of messages.slice(index + 1)) {
      if (next.role !== "tool") break;
      answered.add(next.tool_call_id);
    }
    const missing = callIds(message).filter((id) => !answered.has(id));
    if (missing.length > 0) {
      throw new BadRequest(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(", ")}`,
        `messages.[${index}].role`,
      );
    }
  });
}
