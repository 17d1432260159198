import { OPS_EVENT_TYPES, type OpsEvent, type OpsEventType } from "@breakwater/store";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { App } from "../context.ts";
import { textFilter } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

const querySchema = z.strictObject({
  /** Comma-separated event types; all when absent. */
  types: z
    .string()
    .transform((value) => value.split(",").map((type) => type.trim()))
    .pipe(z.array(z.enum(OPS_EVENT_TYPES as [OpsEventType, ...OpsEventType[]])))
    .optional(),
  tier: textFilter.optional(),
});

/** The event as sent: its type is the SSE `event:` name, the rest (with `at` as ISO 8601) the JSON data. */
export type EventData = Omit<OpsEvent, "at"> & { at: string };

/**
 * Server-sent events for dashboards and sidecars: transitions, operator
 * overrides, verdict summaries and canary failures, from every process of the
 * deployment (they travel through the store), as they happen. Live only: a
 * client that reconnects has missed what happened meanwhile — the audit trail
 * (/v1/decisions) and /v1/judgements hold it. Ends when shutdown starts, so
 * clients (EventSource reconnects by itself) move to another replica at once.
 */
export function registerEvents(app: App): void {
  app.get("/v1/events", (c) => {
    requireKey(c, "history");
    const query = validate(querySchema, c.req.query());
    const services = c.get("services");
    const wanted = new Set(query.types ?? OPS_EVENT_TYPES);
    return streamSSE(c, async (stream) => {
      const queue: OpsEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = services.breakers.onEvent((event) => {
        if (!wanted.has(event.type) || (query.tier && event.tier !== query.tier)) return;
        queue.push(event);
        wake?.();
      });
      let end = () => {};
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      stream.onAbort(end);
      services.drainStarts.addEventListener("abort", end, { once: true });
      if (services.drainStarts.aborted) end();
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ types: [...wanted] }) });
        let done = false;
        void ended.then(() => {
          done = true;
          wake?.();
        });
        while (!done) {
          const event = queue.shift();
          if (event) {
            const { type, at, ...rest } = event;
            await stream.writeSSE({
              event: type,
              data: JSON.stringify({ type, ...rest, at: new Date(at).toISOString() }),
            });
            continue;
          }
          await new Promise<void>((resolve) => {
            const heartbeat = setTimeout(() => {
              void stream.write(": heartbeat\n\n");
              resolve();
            }, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(heartbeat);
              resolve();
            };
          });
          wake = undefined;
        }
      } finally {
        unsubscribe();
        services.drainStarts.removeEventListener("abort", end);
      }
    });
  });
}
