import type { SimReply, SimRequest } from "../types.ts";
import { blockOf, stopDetails, stopReason, usageOf } from "./wire.ts";

export function renderMessage(reply: SimReply, request: SimRequest) {
  const [choice] = reply.choices;
  return {
    id: reply.id,
    type: "message",
    role: "assistant",
    model: reply.model,
    content: choice ? choice.parts.map((part) => blockOf(part, request)) : [],
    stop_reason: choice ? stopReason[choice.finish] : "end_turn",
    stop_sequence: null,
    stop_details: stopDetails(choice),
    usage: usageOf(reply.usage),
  };
}
