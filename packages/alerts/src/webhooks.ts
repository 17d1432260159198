import type { Config, WebhookConfig } from "@breakwater/config";
import { type Db, insertDelivery } from "@breakwater/db";
import { type JobQueues, type Producer, UnrecoverableJobError, type WebhookJob } from "@breakwater/queue";
import type { OpsEvent } from "@breakwater/store";
import { renderDelivery } from "./render.ts";

/** A receiver gets this long to answer each delivery. */
export const DELIVERY_TIMEOUT_MS = 5_000;

export interface Log {
  warn(message: string, fields?: Record<string, unknown>): void;
}

const matches = (webhook: WebhookConfig, event: OpsEvent) =>
  webhook.events.includes(event.type) && (!webhook.tiers || webhook.tiers.includes(event.tier));

/** What names one event, so the same event announced twice is one job per webhook. */
function eventKey(event: OpsEvent): string {
  const which = "generation" in event ? event.generation : "request_id" in event ? event.request_id : event.at;
  return `${event.type}:${event.tier}:${which}:${"kind" in event ? event.kind : ""}`;
}

/**
 * Turns an event announced by this process into one queued delivery per
 * webhook that wants it. Never waits and never throws: a webhook that is down
 * or slow costs its own queue, never the request path.
 */
export function webhookDispatcher(config: Config, producer: Producer<"webhook">, log: Log): (event: OpsEvent) => void {
  const webhooks = config.alerts.webhooks;
  return (event) => {
    for (const webhook of webhooks) {
      if (!matches(webhook, event)) continue;
      producer.add({ webhook: webhook.name, event }, `${eventKey(event)}:${webhook.name}`).catch((error: unknown) =>
        log.warn("could not queue a webhook delivery; it is skipped", {
          webhook: webhook.name,
          error: String(error),
        }),
      );
    }
  };
}

export interface DeliveryDeps {
  config: Config;
  db: Db;
  clock: () => number;
  log: Log;
  fetch?: typeof fetch;
}

/**
 * One delivery attempt: POSTs the event, records the attempt (delivered or
 * failed, with the receiver's status), and throws on failure so the queue
 * retries it with backoff (12 attempts, about an hour). A 4xx but 408 and 429
 * is the receiver refusing this body: recorded, not retried.
 */
export async function deliverWebhook(deps: DeliveryDeps, job: WebhookJob, attempt: number, id: string): Promise<void> {
  const webhook = deps.config.alerts.webhooks.find((candidate) => candidate.name === job.webhook);
  if (!webhook) throw new UnrecoverableJobError(`webhook "${job.webhook}" is no longer configured`);
  const started = deps.clock();
  const { body, headers } = renderDelivery(webhook, job.event, id, started);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await (deps.fetch ?? fetch)(webhook.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      redirect: "manual",
    });
    status = response.status;
    await response.body?.cancel();
    if (!response.ok) error = `the receiver answered HTTP ${status}`;
  } catch (caught) {
    error =
      caught instanceof Error && caught.name === "TimeoutError"
        ? `no answer within ${DELIVERY_TIMEOUT_MS} ms`
        : `could not connect (${caught instanceof Error ? caught.name : "error"})`;
  }
  const delivered = error === null;
  try {
    await insertDelivery(deps.db, {
      webhook: webhook.name,
      eventType: job.event.type,
      tier: job.event.tier,
      attempt,
      outcome: delivered ? "delivered" : "failed",
      httpStatus: status,
      error,
      durationMs: Math.round(deps.clock() - started),
      attemptedAt: new Date(started),
    });
  } catch (caught) {
    // The delivery happened (or not) either way; its record is what Postgres could not take.
    deps.log.warn("could not record a webhook delivery", { webhook: webhook.name, error: String(caught) });
  }
  if (delivered) return;
  deps.log.warn("webhook delivery failed; retrying with backoff", { webhook: webhook.name, attempt, error });
  const refused = status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429;
  throw refused ? new UnrecoverableJobError(error ?? "refused") : new Error(error ?? "failed");
}

/** Registers the webhook consumer (the worker in production, the gateway in embedded mode). */
export async function startWebhookDelivery(deps: DeliveryDeps, queues: JobQueues): Promise<void> {
  if (deps.config.alerts.webhooks.length === 0) return;
  await queues.consume("webhook", (job, attempt, id) => deliverWebhook(deps, job, attempt, id), { concurrency: 4 });
}
