import { streamPieces } from "../../answer.ts";
import { argumentsJson, jsonPieces } from "../choice-parts.ts";
import {
  contentFrame,
  type ReplyPart,
  type SimReply,
  type SimRequest,
  type StreamFrame,
  type StreamPlan,
  sse,
  structureFrame,
} from "../types.ts";
import { blockOf, stopDetails, stopReason, usageOf } from "./wire.ts";

const event = (data: { type: string } & Record<string, unknown>) => sse(data, data.type);

/**
 * message_start; per block content_block_start, its deltas, content_block_stop
 * (a ping after the first start); then message_delta and message_stop.
 */
export function renderStream(reply: SimReply, request: SimRequest): StreamPlan {
  const [choice] = reply.choices;
  const start = event({
    type: "message_start",
    message: {
      id: reply.id,
      type: "message",
      role: "assistant",
      model: reply.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: { ...usageOf(reply.usage), output_tokens: 1 },
    },
  });
  const blocks = (choice?.parts ?? []).flatMap((part, index): StreamFrame[] => [
    structureFrame(event({ type: "content_block_start", index, content_block: openingBlock(part, request) })),
    ...(index === 0 ? [structureFrame(event({ type: "ping" }))] : []),
    ...deltasOf(part, request).map((delta) => contentFrame(event({ type: "content_block_delta", index, delta }))),
    structureFrame(event({ type: "content_block_stop", index })),
  ]);
  return {
    body: [structureFrame(start), ...blocks],
    close: [
      event({
        type: "message_delta",
        delta: {
          stop_reason: choice ? stopReason[choice.finish] : "end_turn",
          stop_sequence: null,
          stop_details: stopDetails(choice),
        },
        usage: { output_tokens: reply.usage.outputTokens },
      }),
      event({ type: "message_stop" }),
    ],
  };
}

/** A block as content_block_start announces it: empty, to be filled by deltas. */
function openingBlock(part: ReplyPart, request: SimRequest) {
  const block = blockOf(part, request);
  if (block.type === "thinking") return { ...block, thinking: "", signature: "" };
  if (block.type === "text") return { ...block, text: "" };
  return { ...block, input: {} };
}

function deltasOf(part: ReplyPart, request: SimRequest): Array<Record<string, unknown>> {
  switch (part.type) {
    case "reasoning":
      return [
        ...(request.reasoning?.visible
          ? streamPieces(part.text).map((thinking) => ({ type: "thinking_delta", thinking }))
          : []),
        { type: "signature_delta", signature: part.signature },
      ];
    case "text":
      return streamPieces(part.text).map((text) => ({ type: "text_delta", text }));
    case "tool_call":
      return jsonPieces(argumentsJson(part)).map((partial_json) => ({ type: "input_json_delta", partial_json }));
  }
}
