import { createHmac } from "node:crypto";
import type { WebhookConfig } from "@breakwater/config";
import type { WebhookJob } from "@breakwater/queue";

export const SIGNATURE_HEADER = "x-breakwater-signature";
export const TIMESTAMP_HEADER = "x-breakwater-timestamp";

type Event = WebhookJob["event"];

/**
 * The signature a receiver recomputes: `v1=` and the hex HMAC-SHA256, keyed
 * by the webhook's secret, of `<timestamp>.<body>`. The timestamp (Unix
 * seconds, also sent in its own header) lets a receiver refuse old replays.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** One line a person reads in a channel. */
export function slackText(event: Event): string {
  const at = new Date(event.at).toISOString();
  const field = (name: string) =>
    typeof event[name] === "string" || typeof event[name] === "number" ? event[name] : "?";
  switch (event.type) {
    case "transition":
    case "override": {
      const icon = event.to === "open" || event.to === "forced_open" ? ":red_circle:" : ":large_green_circle:";
      const who = event.type === "override" ? ` by ${field("actor")}` : "";
      return `${icon} Breakwater: tier *${event.tier}* ${field("from")} → ${field("to")}${who}: ${field("reason")} (${at})`;
    }
    case "canary_failed":
      return `:warning: Breakwater: canary *${field("kind")}* failed on tier *${event.tier}*${event.error_class ? ` (${field("error_class")})` : ""} (${at})`;
    default:
      return `Breakwater: ${event.type} on tier *${event.tier}*: score ${field("score")} (${at})`;
  }
}

/** The request one delivery sends: the body in the webhook's format, and its headers (signed when it has a secret). */
export function renderDelivery(
  webhook: WebhookConfig,
  event: Event,
  deliveryId: string,
  now: number,
): { body: string; headers: Record<string, string> } {
  const { at, ...rest } = event;
  const body =
    webhook.format === "slack"
      ? JSON.stringify({ text: slackText(event) })
      : JSON.stringify({ ...rest, at: new Date(at).toISOString() });
  const timestamp = Math.floor(now / 1000);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "breakwater-webhooks",
      "x-breakwater-event": event.type,
      "x-breakwater-delivery": deliveryId,
      [TIMESTAMP_HEADER]: String(timestamp),
      ...(webhook.secret && { [SIGNATURE_HEADER]: signature(webhook.secret.reveal(), timestamp, body) }),
    },
  };
}
