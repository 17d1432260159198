import { admit } from "@breakwater/core";
import type { App } from "../context.ts";

export interface StatusResponse {
  routes: Array<{
    route: string;
    /** operational: the first choice serves. degraded: a fallback serves. unavailable: no tier admits traffic. */
    status: "operational" | "degraded" | "unavailable";
    message: string;
  }>;
  updated_at: string;
}

const messages = {
  operational: "All systems normal.",
  degraded: "Running on a backup provider; answers may differ slightly.",
  unavailable:
    "The assistant is having trouble right now; some answers may be delayed or replaced by a fallback message.",
} as const;

/**
 * A short public status per route, for an app's end-user banner. Public, so it
 * names no tier, provider or reason. Read from this process's breaker copy.
 */
export function registerStatus(app: App): void {
  app.get("/v1/status", (c) => {
    const { config, breakers, clock } = c.get("services");
    const now = clock();
    const routes = [...config.routes.values()].map((route) => {
      const admitting = route.tiers.map((tier) => admit(breakers.view.get(tier), now, 0, breakers.policy) === "allow");
      const status: StatusResponse["routes"][number]["status"] = admitting[0]
        ? "operational"
        : admitting.some(Boolean)
          ? "degraded"
          : "unavailable";
      return { route: route.name, status, message: messages[status] };
    });
    return c.json({ routes, updated_at: new Date(now).toISOString() } satisfies StatusResponse);
  });
}
