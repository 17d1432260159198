import { MessagesStreamWriter, toAnthropicMessage } from "@breakwater/providers";
import type { Rendering } from "../inbound.ts";

/** Anthropic Messages. An `event: error` is what the Anthropic SDKs raise mid-stream. */
export const messagesRendering: Rendering = {
  idPrefix: "msg_",
  opensWithInputTokens: true,
  completion: (response, meta) => toAnthropicMessage(response, meta),
  streamWriter: (meta) => new MessagesStreamWriter(meta),
};
