import { BadRequest, type Protocol, type SimError, sse, textOf } from "./types.ts";

const finishReason = { stop: "STOP", length: "MAX_TOKENS" } as const;

const statusName: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function errorPayload(error: SimError): { code: number; message: string; status: string; details?: unknown[] } {
  const status = statusName[error.status] ?? "UNKNOWN";
  const base = { code: error.status, status };
  const retryInfo =
    error.retryAfterS === undefined
      ? []
      : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${error.retryAfterS}s` }];
  if (error.status === 400 && error.kind === "context_length") {
    return {
      ...base,
      message: "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).",
    };
  }
  if (error.status === 400 && error.kind === "auth") {
    return {
      ...base,
      message: "API key not valid. Please pass a valid API key.",
      details: [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" },
      ],
    };
  }
  if (error.status === 429 && error.kind !== "overloaded") {
    const quotaId =
      error.kind === "quota"
        ? "GenerateRequestsPerDayPerProjectPerModel"
        : "GenerateRequestsPerMinutePerProjectPerModel";
    return {
      ...base,
      message: "You exceeded your current quota, please check your plan and billing details.",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_requests", quotaId }],
        },
        ...retryInfo,
      ],
    };
  }
  if (error.status === 429) return { ...base, message: "Resource has been exhausted (e.g. check quota)." };
  if (error.status === 503)
    return {
      ...base,
      message: "The model is overloaded. Please try again later.",
      ...(retryInfo.length && { details: retryInfo }),
    };
  return {
    ...base,
    message:
      error.message ??
      "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  };
}

export const gemini: Protocol = {
  name: "gemini",

  parse(body, path, query) {
    const b = body as {
      contents?: Array<{ role?: string; parts?: Array<{ text?: string }> }>;
      systemInstruction?: { parts?: Array<{ text?: string }> };
      generationConfig?: { maxOutputTokens?: number };
    };
    const model = /models\/([^/:]+):/.exec(path)?.[1];
    if (!model || !Array.isArray(b?.contents)) throw new BadRequest("contents is required");
    const users = b.contents.filter((c) => c.role !== "model");
    const maxTokens = b.generationConfig?.maxOutputTokens;
    return {
      model,
      prompt: [textOf(b.systemInstruction?.parts), ...b.contents.map((c) => textOf(c.parts))].join("\n"),
      lastUserText: textOf(users.at(-1)?.parts),
      system: textOf(b.systemInstruction?.parts),
      stream: path.endsWith(":streamGenerateContent") || query.get("alt") === "sse",
      ...(typeof maxTokens === "number" && { maxTokens }),
    };
  },

  complete(reply) {
    return {
      candidates: [
        {
          content: { parts: [{ text: reply.text }], role: "model" },
          finishReason: finishReason[reply.finish],
          index: 0,
        },
      ],
      usageMetadata: usage(reply),
      modelVersion: reply.model,
      responseId: reply.id,
    };
  },

  error(error) {
    if (error.kind === "html") {
      return {
        status: error.status,
        headers: { "content-type": "text/html" },
        body: "<html><body><h1>Error 502 (Server Error)!!1</h1></body></html>",
      };
    }
    return {
      status: error.status,
      headers: { "content-type": "application/json; charset=UTF-8" },
      body: JSON.stringify({ error: errorPayload(error) }),
    };
  },

  streamOpen() {
    return [];
  },

  streamDelta(reply, text) {
    return sse({
      candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0 }],
      usageMetadata: { promptTokenCount: reply.inputTokens, totalTokenCount: reply.inputTokens },
      modelVersion: reply.model,
      responseId: reply.id,
    });
  },

  streamClose(reply) {
    return [
      sse({
        candidates: [
          { content: { parts: [{ text: "" }], role: "model" }, finishReason: finishReason[reply.finish], index: 0 },
        ],
        usageMetadata: usage(reply),
        modelVersion: reply.model,
        responseId: reply.id,
      }),
    ];
  },

  streamError(error) {
    return sse({ error: errorPayload(error) });
  },
};

function usage(reply: { inputTokens: number; outputTokens: number }) {
  return {
    promptTokenCount: reply.inputTokens,
    candidatesTokenCount: reply.outputTokens,
    totalTokenCount: reply.inputTokens + reply.outputTokens,
  };
}
