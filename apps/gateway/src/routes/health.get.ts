import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { within } from "../within.ts";

export interface ReadyResponse {
  status: "ready";
  /** `unavailable` only for a dependency the process serves without (the audit database). */
  checks: Record<string, "ok" | "unavailable">;
}

/**
 * How long /readyz waits for each dependency. Orchestrators give a readiness
 * probe about a second (Kubernetes' default timeoutSeconds is 1); a healthy
 * Redis or Postgres answers in a millisecond. A dependency that cannot make
 * the process unready is only reported, so it gets less.
 */
export const READINESS_CHECK_MS = 500;
export const REPORTED_CHECK_MS = 100;

/**
 * /healthz: the process is alive. /readyz: it can serve — its required
 * dependencies answer (all asked at once, each waited for at most
 * READINESS_CHECK_MS) and it is not draining. The audit database is checked and reported
 * but not required: taking every replica out of the load balancer because
 * Postgres is down would turn an audit outage into a traffic outage.
 */
export function registerHealth(app: App): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    const { readiness, draining } = c.get("services");
    if (draining()) throw new ApiError("not_ready", "shutting down");
    const results = await Promise.all(
      readiness.map((probe) =>
        within(probe.check(), probe.required === false ? REPORTED_CHECK_MS : READINESS_CHECK_MS, probe.name).then(
          () => undefined,
          (error: unknown) => ({ probe, error: error as Error }),
        ),
      ),
    );
    const checks: ReadyResponse["checks"] = {};
    for (const [index, probe] of readiness.entries()) {
      const failed = results[index];
      if (failed && probe.required !== false) {
        throw new ApiError("not_ready", `${probe.name} is unavailable: ${failed.error.message}`);
      }
      checks[probe.name] = failed ? "unavailable" : "ok";
    }
    return c.json({ status: "ready", checks } satisfies ReadyResponse);
  });
}
