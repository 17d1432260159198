import type { App } from "../context.ts";
import { requireKey } from "../request-guards.ts";

export interface RoutesResponse {
  routes: Array<{ route: string; tiers: string[]; canned: boolean }>;
}

/** Every route and its tiers in order: what the console's overview groups tiers by. */
export function registerRoutes(app: App): void {
  app.get("/v1/routes", (c) => {
    requireKey(c, "tiers");
    const routes = [...c.get("services").config.routes.values()].map((route) => ({
      route: route.name,
      tiers: [...route.tiers],
      canned: route.canned !== undefined,
    }));
    return c.json({ routes } satisfies RoutesResponse);
  });
}
