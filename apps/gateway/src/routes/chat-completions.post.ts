import { chatCompletionRequestSchema, fromChatCompletionRequest } from "@breakwater/providers";
import type { App } from "../context.ts";
import { chatCompletionRendering } from "../proxy/formats/openai.ts";
import { serve } from "../proxy/serve.ts";
import { readJson, requireKey, speaks, validate } from "../request-guards.ts";

/** The OpenAI Chat Completions proxy: `model` names a Breakwater route. */
export function registerChatCompletions(app: App): void {
  app.post("/v1/chat/completions", async (c) => {
    speaks(c, "openai");
    const client = requireKey(c, "proxy");
    const body = validate(chatCompletionRequestSchema, await readJson(c));
    return serve(c, {
      client,
      routeName: body.model,
      request: fromChatCompletionRequest(body),
      stream: body.stream === true,
      render: chatCompletionRendering(body),
      clientProtocol: "openai",
    });
  });
}
