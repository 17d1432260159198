import { extractTraceContext, SpanKind, trace, traceContext, tracer } from "@breakwater/telemetry";
import type { Context, Next } from "hono";
import type { AppEnv } from "./context.ts";

/**
 * A server span around one request, a child of the caller's `traceparent`
 * when it sends one; the attempts (proxy/attempt-span.ts) are its children.
 * It says how the request was served — `breakwater.route`, `.tier`,
 * `.attempts`, `.rung`, and `breakwater.fallback.tier` when a tier other than
 * the route's first answered, so a team can measure how much traffic ran
 * degraded. For a stream it ends when the answer starts.
 */
export async function tracedRequest(c: Context<AppEnv>, next: Next): Promise<void> {
  const parent = extractTraceContext(c.env.incoming.headers);
  const span = tracer().startSpan(
    `${c.req.method} ${c.req.path}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": c.req.method,
        "url.path": c.req.path,
        "breakwater.request_id": c.get("requestId"),
      },
    },
    parent,
  );
  try {
    await traceContext.with(trace.setSpan(parent, span), next);
  } finally {
    const served = c.get("served");
    if (served) {
      span.setAttribute("breakwater.route", served.route);
      if (served.rung) span.setAttribute("breakwater.rung", served.rung);
      if (served.attempts !== undefined) span.setAttribute("breakwater.attempts", served.attempts);
      if (served.tier) {
        span.setAttribute("breakwater.tier", served.tier);
        const first = c.get("services").config.routes.get(served.route)?.tiers[0];
        if (served.tier !== first) span.setAttribute("breakwater.fallback.tier", served.tier);
      }
    }
    span.setAttribute("http.response.status_code", c.res.status);
    if (c.res.status >= 500) span.setAttribute("error.type", String(c.res.status));
    span.end();
  }
}
