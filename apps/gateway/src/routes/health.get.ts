import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";

export interface ReadyResponse {
  status: "ready";
  checks: Record<string, "ok">;
}

/** /healthz: the process is alive. /readyz: it can serve — its stores answer and it is not draining. */
export function registerHealth(app: App): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    const { readiness, draining } = c.get("services");
    if (draining()) throw new ApiError("not_ready", "shutting down");
    const checks: Record<string, "ok"> = {};
    for (const probe of readiness) {
      try {
        await probe.check();
        checks[probe.name] = "ok";
      } catch (error) {
        throw new ApiError("not_ready", `${probe.name} is unavailable: ${(error as Error).message}`);
      }
    }
    return c.json({ status: "ready", checks } satisfies ReadyResponse);
  });
}
