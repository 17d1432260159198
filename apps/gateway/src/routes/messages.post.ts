import { fromMessagesRequest, messagesRequestSchema } from "@breakwater/providers";
import type { App } from "../context.ts";
import { anthropicFormat } from "../proxy/formats/anthropic.ts";
import { serve } from "../proxy/serve.ts";
import { readJson, requireKey, validate } from "../request-guards.ts";

/**
 * The Anthropic Messages proxy: `model` names a Breakwater route, the client
 * key comes as `x-api-key` (the Anthropic SDK's header). Served by any tier,
 * Anthropic or not.
 */
export function registerMessages(app: App): void {
  app.post("/v1/messages", async (c) => {
    requireKey(c, "client");
    const body = validate(messagesRequestSchema, await readJson(c));
    return serve(c, anthropicFormat, {
      routeName: body.model,
      request: fromMessagesRequest(body),
      stream: body.stream === true,
      includeUsage: true,
    });
  });
}
