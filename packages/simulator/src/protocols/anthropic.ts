import { BadRequest, type Protocol, type SimError, sse, textOf } from "./types.ts";

const stopReason = { stop: "end_turn", length: "max_tokens" } as const;

function errorPayload(error: SimError): { type: string; message: string } {
  switch (error.status) {
    case 400:
      return error.kind === "context_length"
        ? {
            type: "invalid_request_error",
            message: error.message ?? "prompt is too long: 250000 tokens > 200000 maximum",
          }
        : { type: "invalid_request_error", message: error.message ?? "invalid request" };
    case 401:
      return { type: "authentication_error", message: "invalid x-api-key" };
    case 403:
      return {
        type: "permission_error",
        message: "Your API key does not have permission to use the specified resource.",
      };
    case 404:
      return { type: "not_found_error", message: "model: not found" };
    case 413:
      return { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." };
    case 429:
      return { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" };
    case 529:
      return { type: "overloaded_error", message: "Overloaded" };
    default:
      return { type: "api_error", message: error.message ?? "Internal server error" };
  }
}

export const anthropic: Protocol = {
  name: "anthropic",
  requestIdHeader: "request-id",

  parse(body) {
    const b = body as { model?: unknown; messages?: unknown; system?: unknown; stream?: unknown; max_tokens?: unknown };
    if (typeof b?.model !== "string" || !Array.isArray(b.messages) || typeof b.max_tokens !== "number") {
      throw new BadRequest("model, messages and max_tokens are required");
    }
    const messages = b.messages as Array<{ role?: string; content?: unknown }>;
    const users = messages.filter((m) => m.role === "user");
    return {
      model: b.model,
      prompt: [textOf(b.system), ...messages.map((m) => textOf(m.content))].join("\n"),
      lastUserText: textOf(users.at(-1)?.content),
      system: textOf(b.system),
      stream: b.stream === true,
      maxTokens: b.max_tokens,
    };
  },

  complete(reply) {
    return {
      id: reply.id,
      type: "message",
      role: "assistant",
      model: reply.model,
      content: [{ type: "text", text: reply.text }],
      stop_reason: stopReason[reply.finish],
      stop_sequence: null,
      usage: { input_tokens: reply.inputTokens, output_tokens: reply.outputTokens },
    };
  },

  error(error) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
    if (error.kind === "html") {
      return {
        status: error.status,
        headers: { "content-type": "text/html" },
        body: "<html><body>upstream connect error</body></html>",
      };
    }
    const requestId = `req_${Math.random().toString(36).slice(2, 14)}`;
    return {
      status: error.status,
      headers,
      body: JSON.stringify({ type: "error", error: errorPayload(error), request_id: requestId }),
    };
  },

  streamOpen(reply) {
    return [
      sse(
        {
          type: "message_start",
          message: {
            id: reply.id,
            type: "message",
            role: "assistant",
            model: reply.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: reply.inputTokens, output_tokens: 1 },
          },
        },
        "message_start",
      ),
      sse({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
      sse({ type: "ping" }, "ping"),
    ];
  },

  streamDelta(_reply, text) {
    return sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, "content_block_delta");
  },

  streamClose(reply) {
    return [
      sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
      sse(
        {
          type: "message_delta",
          delta: { stop_reason: stopReason[reply.finish], stop_sequence: null },
          usage: { output_tokens: reply.outputTokens },
        },
        "message_delta",
      ),
      sse({ type: "message_stop" }, "message_stop"),
    ];
  },

  streamError(error) {
    return sse({ type: "error", error: errorPayload(error) }, "error");
  },
};
