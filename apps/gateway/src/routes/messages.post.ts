import { fromMessagesRequest, messagesRequestSchema } from "@breakwater/providers";
import type { App } from "../context.ts";
import { messagesRendering } from "../proxy/formats/anthropic.ts";
import { serve } from "../proxy/serve.ts";
import { readJson, requireKey, speaks, validate } from "../request-guards.ts";

/**
 * The Anthropic Messages proxy: `model` names a Breakwater route, the client
 * key comes as `x-api-key` (the Anthropic SDK's header). Served by any tier,
 * Anthropic or not; errors in Anthropic's shape with a `request-id` header.
 */
export function registerMessages(app: App): void {
  app.post("/v1/messages", async (c) => {
    speaks(c, "anthropic");
    const client = requireKey(c, "proxy");
    const body = validate(messagesRequestSchema, await readJson(c));
    return serve(c, {
      client,
      routeName: body.model,
      request: fromMessagesRequest(body),
      stream: body.stream === true,
      render: messagesRendering,
      clientProtocol: "anthropic",
    });
  });
}
