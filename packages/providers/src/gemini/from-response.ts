import type { Candidate, GenerateContentResponse } from "@google/genai";
import { StreamAccumulator } from "../canonical/accumulate.ts";
import type { ChatResponse, Choice, FinishReason, StreamEvent, Usage } from "../canonical/model.ts";
import { CandidateParts } from "./candidate-parts.ts";
import { finishReasonOf } from "./finish-reason.ts";
import { choiceLogprobsOf, tokenLogprobsOf } from "./logprobs.ts";
import { usageOf } from "./usage.ts";

/**
 * A prompt Gemini refused to answer comes back with a blockReason and no
 * candidates. It is one filtered choice, as OpenAI reports it, not zero
 * choices: the prompt caused it, so it must not count against the tier.
 */
const blockedPrompt = (response: GenerateContentResponse) =>
  !response.candidates?.length && response.promptFeedback?.blockReason !== undefined;

/** A generateContent answer in the canonical model. */
export function fromGenerateContentResponse(response: GenerateContentResponse, fallbackModel: string): ChatResponse {
  const candidates = [...(response.candidates ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const choices: Choice[] = blockedPrompt(response)
    ? [{ content: [], finishReason: "content_filter" }]
    : candidates.map(choiceOf);
  return {
    choices,
    usage: usageOf(response.usageMetadata) ?? { inputTokens: 0, outputTokens: 0 },
    model: response.modelVersion ?? fallbackModel,
    ...(response.responseId && { upstreamRequestId: response.responseId }),
  };
}

function choiceOf(candidate: Candidate): Choice {
  const parts = new CandidateParts();
  const content = new StreamAccumulator();
  for (const part of candidate.content?.parts ?? []) for (const event of parts.push(part)) content.push(event);
  return {
    content: content.response().choices[0]?.content ?? [],
    finishReason: finishReasonOf(candidate.finishReason, parts.calledTools),
    ...(candidate.logprobsResult && { logprobs: choiceLogprobsOf(candidate.logprobsResult) }),
  };
}

/**
 * streamGenerateContent chunks as canonical stream events. Each chunk is a
 * GenerateContentResponse holding the next parts of each candidate;
 * candidates[i] is choice i. Function calls arrive whole, so each is a
 * tool_call event and one tool_call_delta with all of its arguments.
 */
export class ChunkDecoder {
  private readonly candidates: CandidateParts[] = [];
  private readonly finishes: FinishReason[] = [];
  private usage: Usage | undefined;
  private model: string | undefined;
  private started = false;

  constructor(private readonly fallbackModel: string) {}

  /**
   * Chunks came, and none had a candidate (nor a blocked prompt): an answer
   * with no candidates, not a stream cut short (that would have had some).
   */
  get finishedWithoutCandidates(): boolean {
    return this.started && this.candidates.length === 0 && this.finishes.length === 0;
  }

  /** True once every candidate has a finish reason: only that proves the stream completed. */
  get finished(): boolean {
    const count = Math.max(this.candidates.length, this.finishes.length);
    return count > 0 && Array.from({ length: count }, (_, index) => this.finishes[index]).every(Boolean);
  }

  decode(chunk: GenerateContentResponse): StreamEvent[] {
    const events: StreamEvent[] = [];
    this.model = chunk.modelVersion ?? this.model;
    this.usage = usageOf(chunk.usageMetadata) ?? this.usage;
    if (!this.started) {
      this.started = true;
      const input = chunk.usageMetadata?.promptTokenCount;
      events.push({
        type: "start",
        model: this.model ?? this.fallbackModel,
        ...(input !== undefined && { usage: { inputTokens: input } }),
        ...(chunk.responseId && { upstreamRequestId: chunk.responseId }),
      });
    }
    if (blockedPrompt(chunk)) this.finishes[0] = "content_filter";
    (chunk.candidates ?? []).forEach((candidate, position) => {
      events.push(...this.candidateEvents(candidate, candidate.index ?? position));
    });
    return events;
  }

  /** The terminal event, once the upstream is done. */
  finish(): StreamEvent {
    const count = Math.max(this.candidates.length, this.finishes.length, 1);
    const [first = "other", ...more] = Array.from({ length: count }, (_, index) => this.finishes[index] ?? "other");
    return {
      type: "finish",
      finishReason: first,
      model: this.model ?? this.fallbackModel,
      ...(this.usage && { usage: this.usage }),
      ...(more.length > 0 && { moreFinishReasons: more }),
    };
  }

  private candidateEvents(candidate: Candidate, index: number): StreamEvent[] {
    while (this.candidates.length <= index) this.candidates.push(new CandidateParts());
    const parts = this.candidates[index] as CandidateParts;
    const choiceField = index > 0 ? { choice: index } : {};
    // A chunk's logprobs are those of its text: they ride on its first text event.
    let logprobs = candidate.logprobsResult && tokenLogprobsOf(candidate.logprobsResult);
    const events: StreamEvent[] = [];
    for (const part of candidate.content?.parts ?? []) {
      for (const event of parts.push(part)) {
        if (event.type === "text" && logprobs) {
          events.push({ ...event, ...choiceField, logprobs });
          logprobs = undefined;
        } else {
          events.push({ ...event, ...choiceField });
        }
      }
    }
    if (candidate.finishReason) this.finishes[index] = finishReasonOf(candidate.finishReason, parts.calledTools);
    return events;
  }
}
