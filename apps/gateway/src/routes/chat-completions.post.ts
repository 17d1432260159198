import { chatCompletionRequestSchema, fromChatCompletionRequest } from "@breakwater/providers";
import type { App } from "../context.ts";
import { openaiFormat } from "../proxy/formats/openai.ts";
import { serve } from "../proxy/serve.ts";
import { readJson, requireKey, validate } from "../request-guards.ts";

/** The OpenAI Chat Completions proxy: `model` names a Breakwater route. */
export function registerChatCompletions(app: App): void {
  app.post("/v1/chat/completions", async (c) => {
    requireKey(c, "client");
    const body = validate(chatCompletionRequestSchema, await readJson(c));
    return serve(c, openaiFormat, {
      routeName: body.model,
      request: fromChatCompletionRequest(body),
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
    });
  });
}
