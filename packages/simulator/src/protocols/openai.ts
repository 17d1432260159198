import { BadRequest, type Protocol, type SimError, type SimReply, sse, textOf } from "./types.ts";

const created = () => Math.floor(Date.now() / 1000);

function errorPayload(error: SimError): { type: string; code: string | null; message: string } {
  switch (error.status) {
    case 400:
      return error.kind === "context_length"
        ? {
            type: "invalid_request_error",
            code: "context_length_exceeded",
            message:
              error.message ??
              "This model's maximum context length is exceeded. Please reduce the length of the messages.",
          }
        : { type: "invalid_request_error", code: null, message: error.message ?? "Invalid request." };
    case 401:
      return { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided." };
    case 403:
      return { type: "invalid_request_error", code: "unsupported_country_region_territory", message: "Forbidden." };
    case 404:
      return { type: "invalid_request_error", code: "model_not_found", message: "The model does not exist." };
    case 429:
      if (error.kind === "quota") {
        return {
          type: "insufficient_quota",
          code: "insufficient_quota",
          message: "You exceeded your current quota, please check your plan and billing details.",
        };
      }
      if (error.kind === "overloaded") {
        return { type: "server_error", code: null, message: "The server is overloaded. Please try again later." };
      }
      return {
        type: "requests",
        code: "rate_limit_exceeded",
        message: "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1.",
      };
    case 503:
      return {
        type: "server_error",
        code: null,
        message: "The engine is currently overloaded, please try again later",
      };
    default:
      return {
        type: "server_error",
        code: null,
        message: error.message ?? "The server had an error while processing your request.",
      };
  }
}

export const openai: Protocol = {
  name: "openai",
  requestIdHeader: "x-request-id",

  parse(body) {
    const b = body as {
      model?: unknown;
      messages?: unknown;
      stream?: unknown;
      max_tokens?: unknown;
      max_completion_tokens?: unknown;
      stream_options?: { include_usage?: unknown };
    };
    if (typeof b?.model !== "string" || !Array.isArray(b.messages)) {
      throw new BadRequest("'model' and 'messages' are required");
    }
    const messages = b.messages as Array<{ role?: string; content?: unknown }>;
    const users = messages.filter((m) => m.role === "user");
    const maxTokens = b.max_completion_tokens ?? b.max_tokens;
    return {
      model: b.model,
      prompt: messages.map((m) => textOf(m.content)).join("\n"),
      lastUserText: textOf(users.at(-1)?.content),
      system: messages
        .filter((m) => m.role === "system" || m.role === "developer")
        .map((m) => textOf(m.content))
        .join("\n\n"),
      stream: b.stream === true,
      ...(typeof maxTokens === "number" && { maxTokens }),
      includeUsage: b.stream_options?.include_usage === true,
    };
  },

  complete(reply: SimReply) {
    return {
      id: reply.id,
      object: "chat.completion",
      created: created(),
      model: reply.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: reply.text, refusal: null },
          logprobs: null,
          finish_reason: reply.finish,
        },
      ],
      usage: {
        prompt_tokens: reply.inputTokens,
        completion_tokens: reply.outputTokens,
        total_tokens: reply.inputTokens + reply.outputTokens,
      },
      system_fingerprint: "fp_sim",
    };
  },

  error(error) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
    if (error.kind === "html") {
      return {
        status: error.status,
        headers: { "content-type": "text/html" },
        body: `<html><head><title>${error.status} Bad Gateway</title></head><body><center><h1>${error.status} Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>`,
      };
    }
    const { type, code, message } = errorPayload(error);
    return { status: error.status, headers, body: JSON.stringify({ error: { message, type, param: null, code } }) };
  },

  streamOpen(reply) {
    return [chunk(reply, { role: "assistant", content: "" }, null)];
  },

  streamDelta(reply, text) {
    return chunk(reply, { content: text }, null);
  },

  streamClose(reply, request) {
    const frames = [chunk(reply, {}, reply.finish)];
    if (request.includeUsage) {
      frames.push(
        sse({
          id: reply.id,
          object: "chat.completion.chunk",
          created: created(),
          model: reply.model,
          choices: [],
          usage: {
            prompt_tokens: reply.inputTokens,
            completion_tokens: reply.outputTokens,
            total_tokens: reply.inputTokens + reply.outputTokens,
          },
        }),
      );
    }
    frames.push(sse("[DONE]"));
    return frames;
  },

  streamError(error) {
    const { type, code, message } = errorPayload(error);
    return sse({ error: { message, type, param: null, code } });
  },
};

function chunk(reply: SimReply, delta: Record<string, unknown>, finish: string | null): string {
  return sse({
    id: reply.id,
    object: "chat.completion.chunk",
    created: created(),
    model: reply.model,
    system_fingerprint: "fp_sim",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
}
