import { messageEvents, toMessage } from "@breakwater/providers";
import { type InboundFormat, sseFrame } from "../inbound.ts";

const event = (data: { type: string }) => sseFrame(data, data.type);

/** Anthropic Messages. An `event: error` is what the Anthropic SDKs raise mid-stream. */
export const anthropicFormat: InboundFormat = {
  idPrefix: "msg_",
  completion: (response, meta) => toMessage(response, meta),
  sse: {
    open: (meta) => messageEvents.start(meta).map(event),
    delta: (_meta, text) => [event(messageEvents.delta(text))],
    finish: (_meta, finishReason, usage) => messageEvents.stop(finishReason, usage).map(event),
    error: (_meta, failure) => [
      event(messageEvents.error(`the upstream stream failed after it started: ${failure.message}`)),
    ],
  },
};
