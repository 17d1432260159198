import { AnswerScreen, type AttemptFailure, FEATURE_REASONS } from "@breakwater/core";
import {
  answerText,
  type ChatRequest,
  type ChatResponse,
  estimateInputTokens,
  type Needs,
  needsOf,
  type OpenedStream,
  type ResponseMeta,
  unmetBy,
} from "@breakwater/providers";
import { currentTraceparent, tracingEnabled } from "@breakwater/telemetry";
import type { Context } from "hono";
import type { AppEnv, Served } from "../context.ts";
import { ApiError } from "../errors.ts";
import { redactSecrets } from "../redact.ts";
import { callerSignal } from "../request-guards.ts";
import { refusalFor } from "../upstream-refusal.ts";
import type { InboundRequest } from "./inbound.ts";
import type { RouteRuntime, Skip } from "./router.ts";
import { recordScreen } from "./screen.ts";
import { eventStream, framesStream } from "./sse.ts";

/**
 * The proxy, for any inbound protocol: resolve the route, check some tier can
 * serve the request at all, try the tiers (the router), answer in the client's
 * protocol, record what happened, sample for the judges, and fall back to
 * rung 3 when every tier failed.
 */
export async function serve(c: Context<AppEnv>, inbound: InboundRequest): Promise<Response> {
  const { router, config } = c.get("services");
  const route = router.route(inbound.routeName);
  if (!route) {
    const known = [...config.routes.keys()].join(", ");
    throw new ApiError(
      "route_not_found",
      `unknown model "${inbound.routeName}": use one of the configured routes (${known})`,
      {
        param: "model",
      },
    );
  }
  c.set("served", { route: route.config.name });
  const needs = needsOf(inbound.request);
  refuseUnservable(route, needs);
  const meta: ResponseMeta = {
    id: `${inbound.render.idPrefix}${c.get("requestId")}`,
    created: Math.floor(Date.now() / 1000),
    model: route.config.name,
  };
  return inbound.stream ? stream(c, route, inbound, needs, meta) : complete(c, route, inbound, needs, meta);
}

/** A request no tier of the route could ever serve is the client's to change: 400, naming what is missing. */
function refuseUnservable(route: RouteRuntime, needs: Needs): void {
  const lacks = route.tiers.map((tier) => unmetBy(needs, tier));
  if (lacks.some((lack) => lack === undefined)) return;
  const missing = [...new Set(lacks as string[])];
  const why = missing.map((lack) =>
    lack in FEATURE_REASONS
      ? `${lack} (${FEATURE_REASONS[lack as keyof typeof FEATURE_REASONS]})`
      : needs.protocol?.why,
  );
  throw new ApiError(
    "unsupported_by_route",
    `no tier of route "${route.config.name}" can serve this request: it needs ${why.join("; ")}. ` +
      "Add a tier that can, or declare it under tiers.<name>.capabilities.",
  );
}

function describeSkips(skips: Skip[]): string {
  return skips.map((skip) => `${skip.tier} (${skip.reason})`).join(", ");
}

async function complete(
  c: Context<AppEnv>,
  route: RouteRuntime,
  inbound: InboundRequest,
  needs: Needs,
  meta: ResponseMeta,
) {
  const services = c.get("services");
  const { router, sampler, metrics } = services;
  const context = {
    requestId: c.get("requestId"),
    signal: callerSignal(c),
    needs,
    clientProtocol: inbound.clientProtocol,
  };
  const result = await router.complete(route, inbound.request, context);
  if (result.skipped.length > 0) c.header("x-breakwater-skipped", describeSkips(result.skipped));
  if (result.hedged) c.header("x-breakwater-hedged", "1");
  if (!result.ok) return fallBack(c, route, inbound, result.failure, result.attempts, meta);
  const of = { requestId: context.requestId, route: route.config.name, tier: result.tier.config.name };
  const screen = new AnswerScreen();
  screen.push(answerText(result.value));
  const flagged = recordScreen(services, { ...of, generation: result.generation }, inbound, screen);
  const reason = sampler.decide(of) ?? (flagged ? "screened" : undefined);
  if (reason)
    sampler.enqueue({ ...of, reason, generation: result.generation, request: inbound.request, response: result.value });
  metrics.requests.inc({ route: route.config.name, rung: "tier" });
  metrics.requestDuration.observe({ route: route.config.name, tier: result.tier.config.name }, secondsSince(c));
  c.header("x-breakwater-rung", "tier");
  c.header("x-breakwater-tier", result.tier.config.name);
  c.header("x-breakwater-attempts", String(result.attempts));
  served(c, { rung: "tier", tier: result.tier.config.name, attempts: result.attempts });
  return c.json(
    inbound.render.completion(result.value, { ...meta, model: result.value.model || result.tier.config.model }),
  );
}

async function stream(
  c: Context<AppEnv>,
  route: RouteRuntime,
  inbound: InboundRequest,
  needs: Needs,
  meta: ResponseMeta,
) {
  const services = c.get("services");
  const { router, logger, recordAttempt, sampler, metrics, streamsEnd } = services;
  const context = {
    requestId: c.get("requestId"),
    signal: callerSignal(c),
    needs,
    clientProtocol: inbound.clientProtocol,
  };
  const result = await router.openStream(route, inbound.request, context);
  if (!result.ok) return fallBack(c, route, inbound, result.failure, result.attempts, meta, result.skipped);
  metrics.requests.inc({ route: route.config.name, rung: "tier" });
  // The router hands the stream over once its first event is in.
  metrics.timeToFirstToken.observe({ route: route.config.name, tier: result.tier.config.name }, secondsSince(c));
  /** The attempt whose stream the client is reading: the first, or the last continuation. */
  let serving = { tier: result.tier, generation: result.generation, slowNoted: result.slowNoted };
  /** Tiers whose stream broke under this request: a continuation goes elsewhere. */
  const broken: RouteRuntime["tiers"] = [];
  const of = {
    requestId: context.requestId,
    route: route.config.name,
    tier: result.tier.config.name,
    // Taken now: the stream's end, where it is sampled, may run outside the request's trace context.
    ...(tracingEnabled() && { traceparent: currentTraceparent() }),
  };
  const reason = sampler.decide(of);
  const screen = new AnswerScreen();
  // The whole answer only when someone reads it: the judges (sampled, or the tier's recent answers
  // looked garbled, so this one may be flagged too), or the checks of tools and JSON output.
  const keepText =
    reason !== undefined ||
    inbound.request.responseFormat !== undefined ||
    services.breakers.localSignalsOf(result.tier.config.name, result.generation).screen.flagged > 0;
  try {
    const opened = inbound.render.opensWithInputTokens
      ? { ...result.value, start: withInputTokens(result.value.start, inbound.request) }
      : result.value;
    const body = eventStream(
      opened,
      inbound.render.streamWriter({ ...meta, model: opened.start?.model || result.tier.config.model }),
      {
        request: inbound.request,
        checks: route.config.outputChecks,
        keepText,
        streamsEnd,
        screen,
        ...(route.config.continueStreams && {
          continueWith: async (partial: string, failure: AttemptFailure, ended: AbortSignal) => {
            broken.push(serving.tier);
            const next = await router.continueStream(route, inbound.request, partial, broken, {
              ...context,
              signal: AbortSignal.any([context.signal, ended]),
            });
            if (next.ok && ended.aborted) {
              // The stream ended while the continuation opened: nobody reads it, and the broken attempt is already recorded.
              next.value.cancel();
              recordAttempt(next.tier.config.name, next.generation, { errorClass: "caller", message: "stream ended" });
              return undefined;
            }
            metrics.continuations.inc({
              route: route.config.name,
              result: next.ok ? "continued" : "failed",
            });
            if (!next.ok) return undefined;
            const interrupted = serving;
            // The broken attempt's failure counts against its tier; onEnd speaks for the continuation.
            recordAttempt(interrupted.tier.config.name, interrupted.generation, failure, {
              slowNoted: interrupted.slowNoted,
            });
            serving = { tier: next.tier, generation: next.generation, slowNoted: next.slowNoted };
            logger.info("stream continued on another tier", {
              request_id: context.requestId,
              from: interrupted.tier.config.name,
              to: next.tier.config.name,
              error_class: failure.errorClass,
              sent_chars: partial.length,
            });
            return next.value;
          },
        }),
        onEnd: (failure, response) => {
          const { tier, generation, slowNoted } = serving;
          recordAttempt(tier.config.name, generation, failure, { slowNoted });
          metrics.requestDuration.observe({ route: route.config.name, tier: tier.config.name }, secondsSince(c));
          const finished = { ...of, tier: tier.config.name, generation };
          // Only a whole answer from one tier is screened (a continued one mixes two tiers' text);
          // one flagged is judged when its whole text was kept (keepText): never on a first chunk.
          const flagged = failure || broken.length > 0 ? undefined : recordScreen(services, finished, inbound, screen);
          // A continued answer is judged whole, under the tier that finished it.
          if (!failure && reason) {
            sampler.enqueue({ ...finished, reason, request: inbound.request, response });
          } else if (flagged && keepText) {
            sampler.enqueue({ ...finished, reason: "screened", request: inbound.request, response });
          } else if (failure && failure.errorClass !== "caller") {
            logger.warn("stream failed after first byte", {
              request_id: context.requestId,
              tier: tier.config.name,
              error_class: failure.errorClass,
              // The client's stream got only the class; the upstream's own words are for the log.
              upstream_message: redactSecrets(failure.message),
            });
          }
        },
      },
    );
    const headers = streamHeaders(c, { rung: "tier", tier: result.tier.config.name, attempts: result.attempts });
    if (result.skipped.length > 0) headers.set("x-breakwater-skipped", describeSkips(result.skipped));
    if (result.hedged) headers.set("x-breakwater-hedged", "1");
    return new Response(body, { status: 200, headers });
  } catch (error) {
    // Nothing has reached the client: let go of the upstream stream before answering with the error.
    result.value.cancel();
    throw error;
  }
}

/**
 * The opening of a stream with its input tokens: the tier's own figure when it
 * gives one up front (Anthropic, Gemini), else an estimate, so clients that read
 * input usage only from the first event (Anthropic's message_start) do not see
 * 0. The real figure follows in the stream's last event either way.
 */
function withInputTokens(start: OpenedStream["start"], request: ChatRequest): NonNullable<OpenedStream["start"]> {
  if (start?.usage?.inputTokens !== undefined) return start;
  return { ...start, type: "start", usage: { ...start?.usage, inputTokens: estimateInputTokens(request) } };
}

/**
 * Every tier failed. A client error is the client's to fix and is returned as
 * such; anything else gets rung 3 (the route's canned answer, clearly marked)
 * or, without one, a 503 that names the last failure's class but never echoes
 * upstream messages (they can quote key fragments), with `retry-after` when
 * the last tier said when it is due back.
 */
function fallBack(
  c: Context<AppEnv>,
  route: RouteRuntime,
  inbound: InboundRequest,
  failure: AttemptFailure,
  attempts: number,
  meta: ResponseMeta,
  skipped: Skip[] = [],
): Response {
  const { logger, metrics } = c.get("services");
  if (failure.errorClass === "client") throw refusalFor(failure, { requestId: c.get("requestId"), logger });
  if (failure.errorClass === "caller") throw new ApiError("client_closed_request", "the client closed the request");
  const canned = route.config.canned;
  logger.warn("all tiers failed", {
    request_id: c.get("requestId"),
    route: route.config.name,
    attempts,
    error_class: failure.errorClass,
    rung: canned ? "canned" : "none",
  });
  metrics.requests.inc({ route: route.config.name, rung: canned ? "canned" : "error" });
  metrics.requestDuration.observe({ route: route.config.name, tier: "none" }, secondsSince(c));
  if (!canned) {
    const status = failure.status ? ` (${failure.status})` : "";
    // Every tier was rate-limited or cooling: say when one is due back, as the tier said (clients' SDKs honour it).
    if (failure.retryAfterMs !== undefined) {
      c.header("retry-after", String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))));
    }
    throw new ApiError(
      "all_tiers_failed",
      `every tier of route "${route.config.name}" failed; last failure: ${failure.errorClass}${status}`,
    );
  }
  const cannedMeta = { ...meta, model: "breakwater-canned" };
  const answer: ChatResponse = {
    choices: [{ content: [{ type: "text", text: canned }], finishReason: "stop" }],
    usage: { inputTokens: 0, outputTokens: 0 },
    model: cannedMeta.model,
  };
  if (inbound.stream) {
    const writer = inbound.render.streamWriter(cannedMeta);
    const frames = [
      ...writer.open(undefined),
      ...writer.content({ type: "text", block: 0, text: canned }),
      ...writer.finish({ type: "finish", finishReason: "stop", model: cannedMeta.model }),
    ];
    const headers = streamHeaders(c, { rung: "canned", attempts });
    if (skipped.length > 0) headers.set("x-breakwater-skipped", describeSkips(skipped));
    return new Response(framesStream(frames), { status: 200, headers });
  }
  c.header("x-breakwater-rung", "canned");
  c.header("x-breakwater-attempts", String(attempts));
  served(c, { rung: "canned", attempts });
  return c.json(inbound.render.completion(answer, cannedMeta));
}

const secondsSince = (c: Context<AppEnv>) => (performance.now() - c.get("startedAt")) / 1000;

/** Notes how the request was answered, for the access line. */
function served(c: Context<AppEnv>, how: Omit<Served, "route">): void {
  const noted = c.get("served");
  if (noted) c.set("served", { ...noted, ...how });
}

/** Headers of an event stream: a raw Response, so the ones set on the context are copied over. */
function streamHeaders(
  c: Context<AppEnv>,
  info: { rung: "tier" | "canned"; tier?: string; attempts: number },
): Headers {
  served(c, info);
  const headers = new Headers({
    "x-request-id": c.get("requestId"),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-breakwater-rung": info.rung,
    "x-breakwater-attempts": String(info.attempts),
  });
  if (c.get("errorShape") === "anthropic") headers.set("request-id", c.get("requestId"));
  if (info.tier) headers.set("x-breakwater-tier", info.tier);
  return headers;
}
