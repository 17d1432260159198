import type { AssistantPart, ChatResponse, Choice, StreamEvent } from "./model.ts";

/**
 * Builds the whole response a stream amounts to, event by event: for the
 * bad-output checks at the end of a stream, for the judges, and for adapters
 * that stream internally to serve a non-streamed request.
 */
export class StreamAccumulator {
  private readonly choices: Array<{ blocks: Map<number, AssistantPart>; logprobs: unknown[] }> = [];

  /**
   * `keepText: false` keeps only the first piece of each text block: enough to
   * tell an empty answer from one with text, without holding a whole answer
   * nobody will read (a stream that is neither judged nor checked for JSON).
   */
  constructor(private readonly options: { keepText: boolean } = { keepText: true }) {}
  private finish: Extract<StreamEvent, { type: "finish" }> | undefined;
  private startModel: string | undefined;
  private upstreamRequestId: string | undefined;

  push(event: StreamEvent): void {
    switch (event.type) {
      case "start":
        this.startModel = event.model;
        this.upstreamRequestId = event.upstreamRequestId;
        return;
      case "finish":
        this.finish = event;
        return;
    }
    const choice = this.choiceAt(event.choice ?? 0);
    const block = choice.blocks.get(event.block);
    switch (event.type) {
      case "text":
        if (block?.type !== "text") choice.blocks.set(event.block, { type: "text", text: event.text });
        else if (this.options.keepText || block.text === "") block.text += event.text;
        if (event.logprobs) choice.logprobs.push(...event.logprobs);
        return;
      case "reasoning":
        if (block?.type === "reasoning") block.text += event.text;
        else choice.blocks.set(event.block, { type: "reasoning", text: event.text });
        return;
      case "reasoning_signature":
        if (block?.type === "reasoning") {
          block.signature = (block.signature ?? "") + event.signature;
          block.signedBy = event.signedBy;
        } else {
          choice.blocks.set(event.block, {
            type: "reasoning",
            text: "",
            signature: event.signature,
            signedBy: event.signedBy,
          });
        }
        return;
      case "redacted_reasoning":
        choice.blocks.set(event.block, { type: "redacted_reasoning", data: event.data });
        return;
      case "refusal":
        if (block?.type === "refusal") block.text += event.text;
        else choice.blocks.set(event.block, { type: "refusal", text: event.text });
        return;
      case "tool_call":
        choice.blocks.set(event.block, {
          type: "tool_call",
          id: event.id,
          name: event.name,
          arguments: "",
          ...(event.signature && { signature: event.signature }),
          ...(event.signedBy && { signedBy: event.signedBy }),
        });
        return;
      case "tool_call_delta":
        if (block?.type === "tool_call") block.arguments += event.arguments;
        return;
    }
  }

  /** Whether the terminal `finish` event has been pushed. */
  get finished(): boolean {
    return this.finish !== undefined;
  }

  /** The response so far; complete once the `finish` event was pushed. */
  response(): ChatResponse {
    const finish = this.finish;
    const reasons = [finish?.finishReason ?? "other", ...(finish?.moreFinishReasons ?? [])];
    const count = Math.max(this.choices.length, finish ? reasons.length : 0);
    const choices: Choice[] = [];
    for (let index = 0; index < count; index++) {
      const choice = this.choices[index];
      choices.push({
        content: choice ? [...choice.blocks.entries()].sort(([a], [b]) => a - b).map(([, part]) => part) : [],
        finishReason: reasons[index] ?? "other",
        ...(index === 0 && finish?.stopSequence !== undefined && { stopSequence: finish.stopSequence }),
        ...(choice && choice.logprobs.length > 0 && { logprobs: { content: choice.logprobs } }),
      });
    }
    return {
      choices,
      usage: finish?.usage ?? { inputTokens: 0, outputTokens: 0 },
      model: finish?.model ?? this.startModel ?? "",
      ...(this.upstreamRequestId && { upstreamRequestId: this.upstreamRequestId }),
      ...(finish?.systemFingerprint && { systemFingerprint: finish.systemFingerprint }),
    };
  }

  private choiceAt(index: number) {
    while (this.choices.length <= index) this.choices.push({ blocks: new Map(), logprobs: [] });
    return this.choices[index] as { blocks: Map<number, AssistantPart>; logprobs: unknown[] };
  }
}

/** The answer's text: every text part of the first choice, joined. */
export function answerText(response: Pick<ChatResponse, "choices">): string {
  let text = "";
  for (const part of response.choices[0]?.content ?? []) if (part.type === "text") text += part.text;
  return text;
}
