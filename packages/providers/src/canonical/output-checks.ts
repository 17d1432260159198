import type { OutputCheck, OutputChecks } from "@breakwater/core";
import { schemaViolation } from "./json-schema.ts";
import type { ChatRequest, ChatResponse, Choice, StreamEvent } from "./model.ts";

/**
 * "Bad 200s": answers that arrive as a success but cannot be what the client
 * asked for. Each is a failure of class bad_output — retried, failed over and
 * counted against the tier like a server error.
 */
export interface BadOutput {
  check: OutputCheck;
  message: string;
}

/** The first way the response is a bad output for this request, or undefined when it is fine. */
export function findBadOutput(
  request: ChatRequest,
  response: ChatResponse,
  checks: OutputChecks,
): BadOutput | undefined {
  if (response.choices.length === 0) {
    return checks.no_choices ? { check: "no_choices", message: "the answer has no choices" } : undefined;
  }
  for (const choice of response.choices) {
    const bad = badChoice(request, choice, checks);
    if (bad) return bad;
  }
  return undefined;
}

function badChoice(request: ChatRequest, choice: Choice, checks: OutputChecks): BadOutput | undefined {
  let text = "";
  let toolCalls = 0;
  let refused = false;
  for (const part of choice.content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "refusal") refused = true;
    else if (part.type === "tool_call") {
      toolCalls++;
      const bad = badToolCall(request, part.name, part.arguments, checks);
      if (bad) return bad;
    }
  }
  if (checks.empty && choice.finishReason === "stop" && text.trim() === "" && toolCalls === 0 && !refused) {
    return { check: "empty", message: "the answer is empty (no text, no tool call) yet finished normally" };
  }
  if (checks.parallel_tool_calls && request.parallelToolCalls === false && toolCalls > 1) {
    return { check: "parallel_tool_calls", message: `${toolCalls} tool calls although parallel tool calls are off` };
  }
  const format = request.responseFormat;
  if (
    checks.json &&
    format &&
    format.type !== "text" &&
    choice.finishReason === "stop" &&
    !refused &&
    toolCalls === 0
  ) {
    const parsed = parseJson(text);
    if (!parsed.ok) return { check: "json", message: `the answer is not JSON although ${format.type} was requested` };
    if (format.type === "json_object" && (typeof parsed.value !== "object" || parsed.value === null)) {
      return { check: "json", message: "the answer is JSON but not an object although json_object was requested" };
    }
    if (format.type === "json_schema") {
      const violation = schemaViolation(format.schema, parsed.value);
      if (violation) return { check: "json", message: `the answer does not match the requested schema: ${violation}` };
    }
  }
  return undefined;
}

/** A tool call the request cannot have asked for: an unoffered tool, or arguments that fail its schema. */
export function badToolCall(
  request: ChatRequest,
  name: string,
  args: string | undefined,
  checks: OutputChecks,
): BadOutput | undefined {
  const tool = request.tools?.find((candidate) => candidate.name === name);
  if (!tool) {
    return checks.unknown_tool
      ? { check: "unknown_tool", message: `a call to "${name}", which the request did not offer` }
      : undefined;
  }
  if (args === undefined || !checks.tool_arguments) return undefined;
  const parsed = parseJson(args.trim() === "" ? "{}" : args);
  if (!parsed.ok) return { check: "tool_arguments", message: `the arguments of "${name}" are not JSON` };
  const violation = schemaViolation(tool.parameters, parsed.value);
  return violation
    ? { check: "tool_arguments", message: `the arguments of "${name}" do not match its schema: ${violation}` }
    : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * What a stream's first event already shows, checked before the first byte
 * reaches the client (so the stream can still fail over): a stream that
 * finishes at once with nothing, or a first tool call to an unoffered tool.
 */
export function badFirstEvent(
  request: ChatRequest,
  first: Exclude<StreamEvent, { type: "start" }>,
  checks: OutputChecks,
): BadOutput | undefined {
  if (first.type === "finish") {
    const reasons = [first.finishReason, ...(first.moreFinishReasons ?? [])];
    return findBadOutput(
      request,
      { ...emptyAnswer, choices: reasons.map((finishReason) => ({ content: [], finishReason })) },
      checks,
    );
  }
  if (first.type === "tool_call") return badToolCall(request, first.name, undefined, checks);
  return undefined;
}

const emptyAnswer: ChatResponse = { choices: [], usage: { inputTokens: 0, outputTokens: 0 }, model: "" };
