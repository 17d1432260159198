import { textOfChoice } from "../choice-parts.ts";
import type { SimReply, SimRequest } from "../types.ts";
import { blockedRatings, finishReason, isRefusal, logprobsOf, partsOf, usageOf } from "./wire.ts";

export function renderResponse(reply: SimReply, request: SimRequest) {
  return {
    candidates: reply.choices.map((choice, index) =>
      isRefusal(choice)
        ? { finishReason: "SAFETY", index, safetyRatings: blockedRatings }
        : {
            content: { parts: choice.parts.flatMap((part) => partsOf(part, request)), role: "model" },
            finishReason: finishReason[choice.finish],
            index,
            ...logprobsOf(textOfChoice(choice), request),
          },
    ),
    usageMetadata: usageOf(reply.usage),
    modelVersion: reply.model,
    responseId: reply.id,
  };
}
