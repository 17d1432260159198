import type { AttemptFailure, CallKind } from "@breakwater/core";
import type { ChatResponse } from "@breakwater/providers";
import { endFailed, type Span, SpanKind, tracer, tracingEnabled } from "@breakwater/telemetry";
import type { TierRuntime } from "./router.ts";

/** GenAI semantic conventions' `gen_ai.system` values; an OpenAI-compatible endpoint speaks OpenAI's API. */
const GEN_AI_SYSTEM = {
  anthropic: "anthropic",
  openai: "openai",
  gemini: "gcp.gemini",
  openai_compatible: "openai",
} as const;

/**
 * One attempt on one tier as a client span under the request's (the active
 * context): GenAI attributes, the tier, and how it ended. Undefined when
 * tracing is off, so the request path does no span work at all.
 */
export function startAttemptSpan(tier: TierRuntime, kind: CallKind): Span | undefined {
  if (!tracingEnabled()) return undefined;
  const { config } = tier;
  return tracer().startSpan(`chat ${config.model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": GEN_AI_SYSTEM[config.provider],
      "gen_ai.request.model": config.model,
      "breakwater.tier": config.name,
      "breakwater.stream": kind === "stream",
    },
  });
}

export type AttemptEnd<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure } | { lost: true };

export function endAttemptSpan<T>(span: Span | undefined, end: AttemptEnd<T>): void {
  if (!span) return;
  if ("lost" in end) {
    span.setAttribute("breakwater.hedged_loser", true);
    span.end();
  } else if (!end.ok) {
    endFailed(span, end.failure.errorClass);
  } else {
    // A stream's usage comes at its end, after the attempt span (which ends at the first byte).
    const response = end.value as Partial<ChatResponse>;
    if (response.usage) {
      span.setAttribute("gen_ai.usage.input_tokens", response.usage.inputTokens);
      span.setAttribute("gen_ai.usage.output_tokens", response.usage.outputTokens);
    }
    if (response.model) span.setAttribute("gen_ai.response.model", response.model);
    span.end();
  }
}
