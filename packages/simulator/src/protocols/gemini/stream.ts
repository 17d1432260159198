import { streamPieces } from "../../answer.ts";
import { interleave, reasoningOf, toolCallsOf } from "../choice-parts.ts";
import {
  contentFrame,
  type SimChoice,
  type SimReply,
  type SimRequest,
  type StreamFrame,
  type StreamPlan,
  sse,
} from "../types.ts";
import { blockedRatings, finishReason, isRefusal, logprobsOf, partsOf, thoughtSignature, usageOf } from "./wire.ts";

/**
 * Every chunk a whole GenerateContentResponse: thought pieces first (the last
 * one signed), text pieces, all function calls in one chunk; the last chunk
 * has the finish reasons and full usage (and only usage when there is no candidate).
 */
export function renderStream(reply: SimReply, request: SimRequest): StreamPlan {
  const chunk = (candidates: unknown[], usageMetadata: unknown) =>
    sse({
      ...(candidates.length > 0 && { candidates }),
      usageMetadata,
      modelVersion: reply.model,
      responseId: reply.id,
    });
  const progress = { promptTokenCount: reply.usage.inputTokens, totalTokenCount: reply.usage.inputTokens };
  const content = (index: number, parts: unknown[], extra: Record<string, unknown> = {}): StreamFrame =>
    contentFrame(chunk([{ content: { parts, role: "model" }, index, ...extra }], progress));

  const framesOf = (choice: SimChoice, index: number): StreamFrame[] => {
    if (isRefusal(choice)) return [];
    const reasoning = reasoningOf(choice);
    const thoughts = reasoning && request.reasoning?.visible ? streamPieces(reasoning.text) : [];
    const calls = toolCallsOf(choice);
    return [
      ...thoughts.map((text, position) =>
        content(index, [
          {
            text,
            thought: true,
            ...(reasoning &&
              position === thoughts.length - 1 && { thoughtSignature: thoughtSignature(reasoning.signature) }),
          },
        ]),
      ),
      ...choice.parts
        .flatMap((part) => (part.type === "text" ? streamPieces(part.text) : []))
        .map((text) => content(index, [{ text }], logprobsOf(text, request))),
      ...(calls.length > 0
        ? [
            content(
              index,
              calls.flatMap((call) => partsOf(call, request)),
            ),
          ]
        : []),
    ];
  };

  const last = reply.choices.map((choice, index) =>
    isRefusal(choice)
      ? { finishReason: "SAFETY", index, safetyRatings: blockedRatings }
      : { content: { parts: [{ text: "" }], role: "model" }, finishReason: finishReason[choice.finish], index },
  );
  return {
    body: interleave(reply.choices.map(framesOf)),
    close: [chunk(last, usageOf(reply.usage))],
  };
}
