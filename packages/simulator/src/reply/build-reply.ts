import { estimateTokens, garble, healthyAnswer, inputTokensOf, isJudgeRequest, toolResultsAnswer } from "../answer.ts";
import type { Fault, ProviderSettings } from "../faults.ts";
import { asRecord, type ReplyPart, type SimChoice, type SimReply, type SimRequest } from "../protocols/types.ts";
import { badOutputChoices } from "./bad-output.ts";
import { newId } from "./ids.ts";
import { schemaInstance } from "./schema-instance.ts";
import { toolsToCall } from "./tool-calls.ts";

const refusal = "I can't help with that.";

/** The answer to a request, before any protocol renders it. */
export function buildReply(request: SimRequest, settings: ProviderSettings, provider: string, fault: Fault): SimReply {
  const choices =
    fault.mode === "bad_output"
      ? badOutputChoices(fault.kind, request)
      : Array.from({ length: request.choices }, (_, index) =>
          healthyChoice(request, settings, provider, fault.mode === "garbled", index),
        );
  return { id: `sim_${newId(8)}`, model: request.model, choices, usage: usageOf(request, settings, choices) };
}

function healthyChoice(
  request: SimRequest,
  settings: ProviderSettings,
  provider: string,
  garbled: boolean,
  index: number,
): SimChoice {
  if (request.lastUserText.includes("REFUSE")) return { parts: [{ type: "text", text: refusal }], finish: "refusal" };
  const reasoning: ReplyPart[] = request.reasoning
    ? [
        {
          type: "reasoning",
          text: `Thinking about: ${request.lastUserText.slice(0, 80)}`,
          signature: `sig_${newId(16)}`,
        },
      ]
    : [];

  // A fixed reply is a model that says only that: it calls no tools either.
  const tools = settings.reply === undefined ? toolsToCall(request) : [];
  if (tools.length > 0) {
    const hint = quotedPhrase(request.lastUserText);
    const calls = tools.map(
      (tool): ReplyPart => ({
        type: "tool_call",
        id: newId(),
        name: tool.name,
        arguments: asRecord(schemaInstance(tool.parameters, hint)),
      }),
    );
    const announcement: ReplyPart = { type: "text", text: `Calling ${tools.map((tool) => tool.name).join(", ")}.` };
    return { parts: [...reasoning, announcement, ...calls], finish: "tool_calls" };
  }

  let text = answerText(request, settings, provider);
  // A suffix would break JSON answers, so only prose tells its choices apart.
  if (index > 0 && !request.output) text += ` (choice ${index})`;
  if (garbled) text = garble(text);
  if (request.maxTokens !== undefined && estimateTokens(text) > request.maxTokens) {
    return { parts: [...reasoning, { type: "text", text: text.slice(0, request.maxTokens * 4) }], finish: "length" };
  }
  return { parts: [...reasoning, { type: "text", text }], finish: "stop" };
}

/** Fixed reply, then judge verdict, then a schema instance, then the answer to tool results or the echo. */
function answerText(request: SimRequest, settings: ProviderSettings, provider: string): string {
  if (settings.reply !== undefined) return settings.reply;
  if (isJudgeRequest(request)) return healthyAnswer(request, provider);
  if (request.output?.type === "json_schema") {
    return JSON.stringify(schemaInstance(request.output.schema, quotedPhrase(request.lastUserText)));
  }
  const answer = request.toolResults
    ? toolResultsAnswer(request.toolResults, provider)
    : healthyAnswer(request, provider);
  return request.output?.type === "json_object" ? JSON.stringify({ answer }) : answer;
}

/** The first "double-quoted phrase" the user wrote: what free-text fields are filled with. */
const quotedPhrase = (text: string): string | undefined => /"([^"]+)"/.exec(text)?.[1];

function usageOf(request: SimRequest, settings: ProviderSettings, choices: SimChoice[]): SimReply["usage"] {
  const inputTokens = inputTokensOf(request);
  const cachedInputTokens = Math.min(settings.cachedInputTokens, inputTokens);
  let outputTokens = 0;
  let reasoningTokens = 0;
  for (const part of choices.flatMap((choice) => choice.parts)) {
    const tokens = estimateTokens(
      part.type === "tool_call" ? (part.rawArguments ?? JSON.stringify(part.arguments)) : part.text,
    );
    outputTokens += tokens;
    if (part.type === "reasoning") reasoningTokens += tokens;
  }
  return {
    inputTokens,
    outputTokens,
    reasoningTokens,
    cachedInputTokens,
    cacheCreationInputTokens: request.cacheControl ? cachedInputTokens : 0,
  };
}
