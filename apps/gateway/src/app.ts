import { randomUUID } from "node:crypto";
import { InvalidRequest } from "@breakwater/providers";
import { tracingEnabled } from "@breakwater/telemetry";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { registerConsole } from "./console/register.ts";
import type { AppEnv, Services } from "./context.ts";
import { ApiError, shapedErrorBody } from "./errors.ts";
import { tracedRequest } from "./request-span.ts";
import { registerChatCompletions } from "./routes/chat-completions.post.ts";
import { registerCountTokens } from "./routes/count-tokens.post.ts";
import { registerDecisions } from "./routes/decisions.get.ts";
import { registerEvents } from "./routes/events.get.ts";
import { registerHealth } from "./routes/health.get.ts";
import { registerJudgementReviews } from "./routes/judgement-reviews.ts";
import { registerJudgements } from "./routes/judgements.get.ts";
import { registerMessages } from "./routes/messages.post.ts";
import { registerMetrics } from "./routes/metrics.get.ts";
import { registerModels } from "./routes/models.get.ts";
import { registerOutcomes } from "./routes/outcomes.post.ts";
import { registerResponses } from "./routes/responses.post.ts";
import { registerRoutePlan } from "./routes/route-plan.get.ts";
import { registerRoutes } from "./routes/routes.get.ts";
import { registerStatus } from "./routes/status.get.ts";
import { registerTierCanaries } from "./routes/tier-canaries.get.ts";
import { registerTierSeries } from "./routes/tier-series.get.ts";
import { registerTierState } from "./routes/tier-state.post.ts";
import { registerTiers } from "./routes/tiers.get.ts";
import { registerWebhookDeliveries } from "./routes/webhook-deliveries.get.ts";

/** Health checks and scrapes: every few seconds from machines, no access line. */
const UNLOGGED = new Set(["/healthz", "/readyz", "/metrics"]);

/** The HTTP surface. Pure wiring: services come in, nothing is created here. */
export function createApp(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    // Accept a caller's id (so logs join up across services); otherwise mint one.
    const requestId = c.req.header("x-request-id")?.slice(0, 128) || `req_${randomUUID().replaceAll("-", "")}`;
    c.set("requestId", requestId);
    c.set("services", services);
    c.set("errorShape", "breakwater");
    // Set before the handler runs: headers prepared this way keep @hono/node-server on its
    // fast path, where touching c.res.headers afterwards would materialise a Headers object.
    // Handlers that build a raw Response (streams) copy it themselves.
    c.header("x-request-id", requestId);
    const started = performance.now();
    c.set("startedAt", started);
    if (tracingEnabled() && !UNLOGGED.has(c.req.path)) await tracedRequest(c, next);
    else await next();
    if (services.config.server.accessLog && !UNLOGGED.has(c.req.path)) {
      const served = c.get("served");
      services.logger.info("request", {
        request_id: requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        // Streams: until the response started (its headers); the stream's own end is not waited for.
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        ...served,
      });
    }
  });

  registerHealth(app);
  registerChatCompletions(app);
  registerMessages(app);
  registerCountTokens(app);
  registerResponses(app);
  registerModels(app);
  registerTiers(app);
  registerTierSeries(app);
  registerTierCanaries(app);
  registerRoutes(app);
  registerTierState(app);
  registerRoutePlan(app);
  registerOutcomes(app);
  registerDecisions(app);
  registerJudgements(app);
  registerJudgementReviews(app);
  registerStatus(app);
  registerEvents(app);
  registerWebhookDeliveries(app);
  registerMetrics(app);
  registerConsole(app);

  app.notFound((c) => {
    const error = new ApiError("not_found", `no endpoint at ${c.req.method} ${c.req.path}`);
    return c.json(shapedErrorBody(c.get("errorShape"), error, c.get("requestId")), 404);
  });

  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    const shape = c.get("errorShape") ?? "breakwater";
    if (error instanceof InvalidRequest) {
      const invalid = new ApiError("invalid_request", error.message, { param: error.path });
      return c.json(shapedErrorBody(shape, invalid, requestId), 400);
    }
    if (error instanceof ApiError) {
      return c.json(shapedErrorBody(shape, error, requestId), error.status as ContentfulStatusCode);
    }
    services.logger.error("unhandled error", { request_id: requestId, error: error.stack ?? String(error) });
    const internal = new ApiError("internal", "internal error; see the gateway log for this request id");
    return c.json(shapedErrorBody(shape, internal, requestId), 500);
  });

  return app;
}
