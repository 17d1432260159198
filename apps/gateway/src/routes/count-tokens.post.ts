import {
  countTokensAttempt,
  countTokensRequestSchema,
  estimateInputTokens,
  fromCountTokensRequest,
  ProviderError,
} from "@breakwater/providers";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { callerSignal, readJson, requireKey, speaks, validate } from "../request-guards.ts";
import { refusalFor } from "../upstream-refusal.ts";

export interface CountTokensResponse {
  input_tokens: number;
}

/**
 * Anthropic's token count for a route: asked of the route's first Anthropic
 * tier whose breaker lets traffic through. A route without one, or whose
 * Anthropic tiers cannot answer right now, gets an estimate, marked
 * `x-breakwater-estimated: true` — a count is a planning aid, not worth an error.
 */
export function registerCountTokens(app: App): void {
  app.post("/v1/messages/count_tokens", async (c) => {
    speaks(c, "anthropic");
    requireKey(c, "proxy");
    const body = validate(countTokensRequestSchema, await readJson(c));
    const { router, breakers, logger } = c.get("services");
    const route = router.route(body.model);
    if (!route) throw new ApiError("route_not_found", `unknown model "${body.model}"`, { param: "model" });
    const request = fromCountTokensRequest(body);
    const tier = route.tiers.find(
      (candidate) => candidate.adapter.countTokens && breakers.admit(candidate.config.name, 0).admission === "allow",
    );
    if (tier) {
      try {
        const tokens = await countTokensAttempt(tier.adapter, request, tier.config.timeoutMs, callerSignal(c));
        c.header("x-breakwater-tier", tier.config.name);
        return c.json({ input_tokens: tokens } satisfies CountTokensResponse);
      } catch (error) {
        const failure = error instanceof ProviderError ? error.failure : undefined;
        if (failure?.errorClass === "client") {
          throw refusalFor(failure, { requestId: c.get("requestId"), logger, tier: tier.config.name });
        }
        logger.warn("token count failed; answering with an estimate", {
          request_id: c.get("requestId"),
          tier: tier.config.name,
          error_class: failure?.errorClass ?? "unknown",
        });
      }
    }
    c.header("x-breakwater-estimated", "true");
    return c.json({ input_tokens: estimateInputTokens(request) } satisfies CountTokensResponse);
  });
}
