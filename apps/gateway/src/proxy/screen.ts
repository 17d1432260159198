import type { AnswerScreen } from "@breakwater/core";
import type { ChatRequest } from "@breakwater/providers";
import type { Services } from "../context.ts";
import type { InboundRequest } from "./inbound.ts";

/** The prompt's text (system and every message), for the screen's script rule. */
function promptText(request: ChatRequest): string {
  let text = request.system.map((part) => part.text).join("\n");
  for (const message of request.messages) {
    for (const part of message.content) if (part.type === "text") text += `\n${part.text}`;
  }
  return text;
}

/**
 * The screen's verdict on one answer, recorded: into the tier's screen
 * window (the breaker's `screen` signal, under the client key it answered),
 * and, when flagged, into the log and /metrics. Returns the reason it was flagged, if it was; the caller then has
 * it judged. Never changes the answer.
 */
export function recordScreen(
  services: Pick<Services, "breakers" | "metrics" | "logger">,
  of: { requestId: string; tier: string; generation: number },
  inbound: Pick<InboundRequest, "request" | "client">,
  screen: AnswerScreen,
): string | undefined {
  const flagged = screen.verdict(() => promptText(inbound.request));
  services.breakers.screened(of.tier, of.generation, flagged === undefined ? null : inbound.client);
  if (flagged) {
    services.metrics.screenFlagged.inc({ tier: of.tier });
    services.logger.info("answer looked garbled", {
      request_id: of.requestId,
      tier: of.tier,
      client: inbound.client,
      why: flagged,
    });
  }
  return flagged;
}
