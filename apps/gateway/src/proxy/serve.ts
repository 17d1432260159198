import type { AttemptFailure } from "@breakwater/core";
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { callerSignal } from "../request-guards.ts";
import type { InboundFormat, InboundRequest, ResponseMeta } from "./inbound.ts";
import type { RouteRuntime } from "./router.ts";
import { promptText } from "./sampler.ts";
import { cannedSseStream, sseStream } from "./sse.ts";

/**
 * The proxy, for any inbound protocol: resolve the route, try its tiers (the
 * router), answer in the client's format, record what happened, sample for the
 * judges, and fall back to rung 3 when every tier failed.
 */
export async function serve(c: Context<AppEnv>, format: InboundFormat, inbound: InboundRequest): Promise<Response> {
  const { router, config } = c.get("services");
  const route = router.route(inbound.routeName);
  if (!route) {
    const known = [...config.routes.keys()].join(", ");
    throw new ApiError(
      "route_not_found",
      `unknown model "${inbound.routeName}": use one of the configured routes (${known})`,
    );
  }
  const meta: ResponseMeta = {
    id: `${format.idPrefix}${c.get("requestId")}`,
    created: Math.floor(Date.now() / 1000),
    model: route.config.name,
  };
  return inbound.stream ? stream(c, format, route, inbound, meta) : complete(c, format, route, inbound, meta);
}

async function complete(
  c: Context<AppEnv>,
  format: InboundFormat,
  route: RouteRuntime,
  inbound: InboundRequest,
  meta: ResponseMeta,
) {
  const { router, sampler, counters } = c.get("services");
  const context = { requestId: c.get("requestId"), signal: callerSignal(c) };
  const result = await router.complete(route, inbound.request, context);
  if (!result.ok) return fallBack(c, format, route, result.failure, result.attempts, meta, false);
  const of = { requestId: context.requestId, route: route.config.name, tier: result.tier.config.name };
  const reason = sampler.decide(of);
  if (reason) {
    sampler.enqueue({
      ...of,
      reason,
      generation: result.generation,
      prompt: promptText(inbound.request),
      answer: result.value.text,
    });
  }
  counters.inc("breakwater_requests_total", { route: route.config.name, rung: "tier" });
  c.header("x-breakwater-rung", "tier");
  c.header("x-breakwater-tier", result.tier.config.name);
  c.header("x-breakwater-attempts", String(result.attempts));
  return c.json(format.completion(result.value, { ...meta, model: result.value.model }));
}

async function stream(
  c: Context<AppEnv>,
  format: InboundFormat,
  route: RouteRuntime,
  inbound: InboundRequest,
  meta: ResponseMeta,
) {
  const { router, logger, recordAttempt, sampler, config, counters } = c.get("services");
  const context = { requestId: c.get("requestId"), signal: callerSignal(c) };
  const result = await router.openStream(route, inbound.request, context);
  if (!result.ok) return fallBack(c, format, route, result.failure, result.attempts, meta, true);
  const tierName = result.tier.config.name;
  const { generation } = result;
  counters.inc("breakwater_requests_total", { route: route.config.name, rung: "tier" });
  // Decided when the stream opens, so only a sampled stream keeps its text for the judges.
  const of = { requestId: context.requestId, route: route.config.name, tier: tierName };
  const reason = sampler.decide(of);
  const body = sseStream(result.value, format, {
    meta: { ...meta, model: result.tier.config.model },
    includeUsage: inbound.includeUsage,
    keepTextChars: reason ? config.judge.maxSampleChars : 0,
    onEnd: (failure, text) => {
      recordAttempt(tierName, generation, failure);
      if (!failure && reason) {
        sampler.enqueue({ ...of, reason, generation, prompt: promptText(inbound.request), answer: text });
      } else if (failure && failure.errorClass !== "caller") {
        logger.warn("stream failed after first byte", {
          request_id: context.requestId,
          tier: tierName,
          error_class: failure.errorClass,
        });
      }
    },
  });
  return new Response(body, {
    status: 200,
    headers: sseHeaders({ requestId: context.requestId, rung: "tier", tier: tierName, attempts: result.attempts }),
  });
}

/**
 * Every tier failed. A client error is the client's to fix and is returned as
 * such; anything else gets rung 3 (the route's canned answer, clearly marked)
 * or, without one, a 503 that names the last failure's class but never echoes
 * upstream messages (they can quote key fragments).
 */
function fallBack(
  c: Context<AppEnv>,
  format: InboundFormat,
  route: RouteRuntime,
  failure: AttemptFailure,
  attempts: number,
  meta: ResponseMeta,
  streaming: boolean,
): Response {
  const { logger, counters } = c.get("services");
  if (failure.errorClass === "client") {
    if (failure.contextLength) throw new ApiError("context_length_exceeded", failure.message);
    const status = failure.status !== undefined && failure.status >= 400 && failure.status < 500 ? failure.status : 400;
    throw new ApiError("upstream_rejected", failure.message, status);
  }
  if (failure.errorClass === "caller") throw new ApiError("client_closed_request", "the client closed the request");
  const canned = route.config.canned;
  logger.warn("all tiers failed", {
    request_id: c.get("requestId"),
    route: route.config.name,
    attempts,
    error_class: failure.errorClass,
    rung: canned ? "canned" : "none",
  });
  counters.inc("breakwater_requests_total", { route: route.config.name, rung: canned ? "canned" : "error" });
  if (!canned) {
    const status = failure.status ? ` (${failure.status})` : "";
    throw new ApiError(
      "all_tiers_failed",
      `every tier of route "${route.config.name}" failed; last failure: ${failure.errorClass}${status}`,
    );
  }
  const cannedMeta = { ...meta, model: "breakwater-canned" };
  if (streaming) {
    return new Response(cannedSseStream(format, cannedMeta, canned), {
      status: 200,
      headers: sseHeaders({ requestId: c.get("requestId"), rung: "canned", attempts }),
    });
  }
  c.header("x-breakwater-rung", "canned");
  c.header("x-breakwater-attempts", String(attempts));
  return c.json(
    format.completion({ text: canned, finishReason: "stop", usage: { inputTokens: 0, outputTokens: 0 } }, cannedMeta),
  );
}

function sseHeaders(info: { requestId: string; rung: string; tier?: string; attempts: number }): Headers {
  const headers = new Headers({
    "x-request-id": info.requestId,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-breakwater-rung": info.rung,
    "x-breakwater-attempts": String(info.attempts),
  });
  if (info.tier) headers.set("x-breakwater-tier", info.tier);
  return headers;
}
