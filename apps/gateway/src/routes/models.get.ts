import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireKey, speaks } from "../request-guards.ts";

/**
 * The routes, as models: what a client may put in `model`. In OpenAI's list
 * shape, or Anthropic's when the caller is an Anthropic SDK (it sends
 * `anthropic-version`). Created times are the gateway's start: a route has no other.
 */
export function registerModels(app: App): void {
  const startedAt = new Date();

  const describe = (anthropic: boolean, name: string) =>
    anthropic
      ? { type: "model", id: name, display_name: name, created_at: startedAt.toISOString() }
      : { id: name, object: "model", created: Math.floor(startedAt.getTime() / 1000), owned_by: "breakwater" };

  app.get("/v1/models", (c) => {
    const anthropic = c.req.header("anthropic-version") !== undefined;
    speaks(c, anthropic ? "anthropic" : "openai");
    requireKey(c, "proxy");
    const data = [...c.get("services").config.routes.keys()].map((name) => describe(anthropic, name));
    return c.json(
      anthropic
        ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
        : { object: "list", data },
    );
  });

  app.get("/v1/models/:model", (c) => {
    const anthropic = c.req.header("anthropic-version") !== undefined;
    speaks(c, anthropic ? "anthropic" : "openai");
    requireKey(c, "proxy");
    const name = c.req.param("model");
    if (!c.get("services").config.routes.has(name)) {
      throw new ApiError("route_not_found", `no route named "${name}"`, { param: "model" });
    }
    return c.json(describe(anthropic, name));
  });
}
