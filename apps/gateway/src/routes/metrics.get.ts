import type { App } from "../context.ts";

/**
 * Prometheus text format (prom-client; the metrics are defined in
 * @breakwater/telemetry's Metrics and apps/gateway/src/metrics.ts).
 * Unauthenticated, like most scrape targets: it holds tier, route and key
 * names and figures, never keys or prompts. Serve it on a network only your
 * monitoring reaches.
 */
export function registerMetrics(app: App): void {
  app.get("/metrics", async (c) => {
    const { text, contentType } = await c.get("services").metrics.exposition();
    return c.text(text, 200, { "content-type": contentType });
  });
}
