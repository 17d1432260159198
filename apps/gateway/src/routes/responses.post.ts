import { fromResponsesRequest, responsesRequestSchema } from "@breakwater/providers";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { responsesRendering } from "../proxy/formats/responses.ts";
import { serve } from "../proxy/serve.ts";
import { readJson, requireKey, speaks, validate } from "../request-guards.ts";

const stateless =
  "Breakwater is stateless: it stores no responses, so none can be retrieved, listed, cancelled or deleted. " +
  "Keep the conversation on your side and send it as `input`.";

/**
 * The OpenAI Responses proxy: `model` names a route, served by any tier.
 * Stateless: what needs a stored response is refused with a 400 that says so.
 */
export function registerResponses(app: App): void {
  app.post("/v1/responses", async (c) => {
    speaks(c, "openai");
    const client = requireKey(c, "proxy");
    const body = validate(responsesRequestSchema, await readJson(c));
    return serve(c, {
      client,
      routeName: body.model,
      request: fromResponsesRequest(body),
      stream: body.stream === true,
      render: responsesRendering(body),
      // No tier speaks the Responses API: every tier gets a translation.
      clientProtocol: undefined,
    });
  });

  // Retrieval, input items, cancel and delete all need a stored response.
  app.on(["GET", "POST", "DELETE"], ["/v1/responses/:id", "/v1/responses/:id/*"], (c) => {
    speaks(c, "openai");
    requireKey(c, "proxy");
    throw new ApiError("invalid_request", stateless);
  });
}
