import { streamPieces } from "../../answer.ts";
import {
  argumentsJson,
  interleave,
  jsonPieces,
  type ToolCallPart,
  textOfChoice,
  toolCallsOf,
} from "../choice-parts.ts";
import {
  contentFrame,
  type SimChoice,
  type SimReply,
  type SimRequest,
  type StreamPlan,
  sse,
  structureFrame,
} from "../types.ts";
import { created, finishReason, logprobEntries, toolCallId, usageOf } from "./wire.ts";

interface Delta {
  delta: Record<string, unknown>;
  logprobs?: unknown;
}

/**
 * Per choice: a role chunk, content deltas, a finish chunk; choices interleave
 * by index. Then the usage chunk (`choices: []`) when asked for, and `[DONE]`.
 */
export function renderStream(reply: SimReply, request: SimRequest): StreamPlan {
  const chunk = (fields: Record<string, unknown>) =>
    sse({
      id: reply.id,
      object: "chat.completion.chunk",
      created: created(),
      model: reply.model,
      system_fingerprint: "fp_sim",
      ...fields,
    });
  const choiceChunk = (index: number, { delta, logprobs = null }: Delta, finish: string | null = null) =>
    chunk({ choices: [{ index, delta, logprobs, finish_reason: finish }] });

  const opening = reply.choices.map((choice, index) => structureFrame(choiceChunk(index, openingDelta(choice))));
  const deltas = reply.choices.map((choice, index) =>
    deltasOf(choice, request).map((delta) => contentFrame(choiceChunk(index, delta))),
  );
  const close = reply.choices.map((choice, index) => choiceChunk(index, { delta: {} }, finishReason(choice, request)));
  // A stream without choices still reports usage: it is all the client gets.
  if (request.includeUsage || reply.choices.length === 0)
    close.push(chunk({ choices: [], usage: usageOf(reply.usage) }));
  close.push(sse("[DONE]"));
  return { body: [...opening, ...interleave(deltas)], close };
}

/** The role chunk already says which field the choice fills: content, refusal, or neither (tool calls). */
function openingDelta(choice: SimChoice): Delta {
  if (choice.finish === "refusal") return { delta: { role: "assistant", content: null, refusal: "" } };
  if (toolCallsOf(choice).length > 0) return { delta: { role: "assistant", content: null, refusal: null } };
  return { delta: { role: "assistant", content: "", refusal: null } };
}

function deltasOf(choice: SimChoice, request: SimRequest): Delta[] {
  const calls = toolCallsOf(choice);
  if (request.legacyFunctions && calls[0]) return functionCallDeltas(calls[0]);
  if (calls.length > 0) return calls.flatMap(toolCallDeltas);
  return textDeltas(choice, request.logprobs?.top);
}

/** The deprecated function_call: name first, then the arguments in pieces. */
const functionCallDeltas = (call: ToolCallPart): Delta[] => [
  { delta: { function_call: { name: call.name, arguments: "" } } },
  ...jsonPieces(argumentsJson(call)).map((piece) => ({ delta: { function_call: { arguments: piece } } })),
];

/** A tool call's header (id, type, name), then its arguments in pieces, all under its index. */
const toolCallDeltas = (call: ToolCallPart, index: number): Delta[] => [
  {
    delta: {
      tool_calls: [{ index, id: toolCallId(call.id), type: "function", function: { name: call.name, arguments: "" } }],
    },
  },
  ...jsonPieces(argumentsJson(call)).map((piece) => ({
    delta: { tool_calls: [{ index, function: { arguments: piece } }] },
  })),
];

/** Text (or refusal) pieces, each with its own logprobs entries when asked for. */
function textDeltas(choice: SimChoice, top: number | undefined): Delta[] {
  const field = choice.finish === "refusal" ? "refusal" : "content";
  return streamPieces(textOfChoice(choice)).map((piece) => {
    if (top === undefined) return { delta: { [field]: piece } };
    const entries = logprobEntries(piece, top);
    return {
      delta: { [field]: piece },
      logprobs: field === "refusal" ? { content: null, refusal: entries } : { content: entries, refusal: null },
    };
  });
}
