import type { AttemptFailure } from "@breakwater/core";
import {
  type ChatCompletionRequest,
  type CompletionMeta,
  chatCompletionRequestSchema,
  fromChatCompletionRequest,
  toChatCompletion,
} from "@breakwater/providers";
import type { Context } from "hono";
import type { App, AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { cannedSseStream, openAISseStream } from "../proxy/openai-sse.ts";
import type { RouteRuntime } from "../proxy/router.ts";
import { promptText } from "../proxy/sampler.ts";
import { callerSignal, readJson, requireKey, validate } from "../request-guards.ts";

/** The OpenAI-compatible proxy: `model` names a Breakwater route. */
export function registerChatCompletions(app: App): void {
  app.post("/v1/chat/completions", async (c) => {
    requireKey(c, "client");
    const body = validate(chatCompletionRequestSchema, await readJson(c));
    const route = c.get("services").router.route(body.model);
    if (!route) {
      const known = [...c.get("services").config.routes.keys()].join(", ");
      throw new ApiError(
        "route_not_found",
        `unknown model "${body.model}": use one of the configured routes (${known})`,
      );
    }
    const meta: CompletionMeta = {
      id: `chatcmpl-${c.get("requestId")}`,
      created: Math.floor(Date.now() / 1000),
      model: route.config.name,
    };
    return body.stream ? stream(c, route, body, meta) : complete(c, route, body, meta);
  });
}

async function complete(c: Context<AppEnv>, route: RouteRuntime, body: ChatCompletionRequest, meta: CompletionMeta) {
  const context = { requestId: c.get("requestId"), signal: callerSignal(c) };
  const request = fromChatCompletionRequest(body);
  const result = await c.get("services").router.complete(route, request, context);
  if (!result.ok) return fallBack(c, route, result.failure, result.attempts, meta, false);
  c.get("services").sampler.consider({
    requestId: context.requestId,
    route: route.config.name,
    tier: result.tier.config.name,
    generation: result.generation,
    prompt: promptText(request),
    answer: result.value.text,
  });
  c.get("services").counters.inc("breakwater_requests_total", { route: route.config.name, rung: "tier" });
  c.header("x-breakwater-rung", "tier");
  c.header("x-breakwater-tier", result.tier.config.name);
  c.header("x-breakwater-attempts", String(result.attempts));
  return c.json(toChatCompletion(result.value, { ...meta, model: result.value.model }));
}

async function stream(c: Context<AppEnv>, route: RouteRuntime, body: ChatCompletionRequest, meta: CompletionMeta) {
  const { router, logger, breakers, sampler, config } = c.get("services");
  const context = { requestId: c.get("requestId"), signal: callerSignal(c) };
  const request = fromChatCompletionRequest(body);
  const result = await router.openStream(route, request, context);
  if (!result.ok) return fallBack(c, route, result.failure, result.attempts, meta, true);
  const tierName = result.tier.config.name;
  const { generation } = result;
  c.get("services").counters.inc("breakwater_requests_total", { route: route.config.name, rung: "tier" });
  const sse = openAISseStream(result.value, {
    meta: { ...meta, model: result.tier.config.model },
    includeUsage: body.stream_options?.include_usage === true,
    keepTextChars: config.judge.maxSampleChars,
    onEnd: (failure, text) => {
      breakers.recordOutcome(tierName, generation, failure);
      if (!failure) {
        sampler.consider({
          requestId: context.requestId,
          route: route.config.name,
          tier: tierName,
          generation,
          prompt: promptText(request),
          answer: text,
        });
      }
      if (failure && failure.errorClass !== "caller") {
        logger.warn("stream failed after first byte", {
          request_id: context.requestId,
          tier: tierName,
          error_class: failure.errorClass,
        });
      }
    },
  });
  return new Response(sse, {
    status: 200,
    headers: sseHeaders({ requestId: c.get("requestId"), rung: "tier", tier: tierName, attempts: result.attempts }),
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
  route: RouteRuntime,
  failure: AttemptFailure,
  attempts: number,
  meta: CompletionMeta,
  streaming: boolean,
) {
  if (failure.errorClass === "client") {
    if (failure.contextLength) throw new ApiError("context_length_exceeded", failure.message);
    const status = failure.status !== undefined && failure.status >= 400 && failure.status < 500 ? failure.status : 400;
    throw new ApiError("upstream_rejected", failure.message, status);
  }
  if (failure.errorClass === "caller") throw new ApiError("client_closed_request", "the client closed the request");
  const canned = route.config.canned;
  c.get("services").logger.warn("all tiers failed", {
    request_id: c.get("requestId"),
    route: route.config.name,
    attempts,
    error_class: failure.errorClass,
    rung: canned ? "canned" : "none",
  });
  if (!canned) {
    c.get("services").counters.inc("breakwater_requests_total", { route: route.config.name, rung: "error" });
    const status = failure.status ? ` (${failure.status})` : "";
    throw new ApiError(
      "all_tiers_failed",
      `every tier of route "${route.config.name}" failed; last failure: ${failure.errorClass}${status}`,
    );
  }
  c.get("services").counters.inc("breakwater_requests_total", { route: route.config.name, rung: "canned" });
  const cannedMeta = { ...meta, model: "breakwater-canned" };
  if (streaming) {
    return new Response(cannedSseStream(cannedMeta, canned), {
      status: 200,
      headers: sseHeaders({ requestId: c.get("requestId"), rung: "canned", attempts }),
    });
  }
  c.header("x-breakwater-rung", "canned");
  c.header("x-breakwater-attempts", String(attempts));
  return c.json(
    toChatCompletion({ text: canned, finishReason: "stop", usage: { inputTokens: 0, outputTokens: 0 } }, cannedMeta),
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
