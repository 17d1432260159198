import { argumentsJson, textOfChoice, toolCallsOf } from "../choice-parts.ts";
import type { SimChoice, SimReply, SimRequest } from "../types.ts";
import { created, finishReason, logprobEntries, toolCallId, usageOf } from "./wire.ts";

export function renderCompletion(reply: SimReply, request: SimRequest) {
  return {
    id: reply.id,
    object: "chat.completion",
    created: created(),
    model: reply.model,
    choices: reply.choices.map((choice, index) => ({
      index,
      message: messageOf(choice, request),
      logprobs: request.logprobs ? logprobsOf(choice, request.logprobs.top) : null,
      finish_reason: finishReason(choice, request),
    })),
    usage: usageOf(reply.usage),
    system_fingerprint: "fp_sim",
  };
}

/** Reasoning text never appears in Chat Completions, and tool calls come without their announcement. */
function messageOf(choice: SimChoice, request: SimRequest) {
  const text = textOfChoice(choice);
  if (choice.finish === "refusal") return { role: "assistant", content: null, refusal: text, annotations: [] };
  const [first, ...others] = toolCallsOf(choice);
  if (!first) return { role: "assistant", content: text, refusal: null, annotations: [] };
  if (request.legacyFunctions) {
    return {
      role: "assistant",
      content: null,
      refusal: null,
      function_call: { name: first.name, arguments: argumentsJson(first) },
    };
  }
  return {
    role: "assistant",
    content: null,
    refusal: null,
    annotations: [],
    tool_calls: [first, ...others].map((call) => ({
      id: toolCallId(call.id),
      type: "function",
      function: { name: call.name, arguments: argumentsJson(call) },
    })),
  };
}

function logprobsOf(choice: SimChoice, top: number) {
  const text = textOfChoice(choice);
  if (choice.finish === "refusal") return { content: null, refusal: logprobEntries(text, top) };
  return { content: toolCallsOf(choice).length > 0 ? [] : logprobEntries(text, top), refusal: null };
}
