import { type Capabilities, FEATURES, type Feature } from "@breakwater/core";
import type { ChatRequest, WireProtocol } from "./model.ts";

/** What a request needs of the tier that serves it; computed once per request. */
export interface Needs {
  features: Feature[];
  /** Only a tier speaking this protocol can serve it, and why (passthrough fields, a file uploaded there). */
  protocol?: { protocol: WireProtocol; why: string };
}

export function needsOf(request: ChatRequest): Needs {
  const needs = new Set<Feature>();
  let uploadedTo: WireProtocol | undefined;
  const media = (part: { type: string; source?: { kind: string; protocol?: WireProtocol } }) => {
    if (part.type === "image") needs.add("vision");
    if (part.type === "document") needs.add("pdf");
    if (part.type === "document" && part.source?.kind === "url") needs.add("document_url");
    if (part.source?.kind === "file_id") uploadedTo = part.source.protocol;
  };
  if (request.tools?.length || (request.toolChoice && request.toolChoice.type !== "none")) needs.add("tools");
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === "tool_call") needs.add("tools");
      else if (part.type === "tool_result") {
        needs.add("tools");
        for (const inner of part.content) media(inner);
      } else media(part);
    }
  }
  if (request.responseFormat && request.responseFormat.type !== "text") needs.add("json_schema");
  if (request.reasoning && request.reasoning.effort !== "none") needs.add("reasoning");
  if (request.logprobs) needs.add("logprobs");
  if (request.n !== undefined && request.n > 1) needs.add("n");
  if (request.logitBias && Object.keys(request.logitBias).length > 0) needs.add("logit_bias");
  // 1 is every provider's default temperature and top_p: asking for it asks for nothing.
  if (
    (request.temperature !== undefined && request.temperature !== 1) ||
    (request.topP !== undefined && request.topP !== 1)
  ) {
    needs.add("sampling");
  }
  if (request.topK !== undefined) needs.add("top_k");
  if (request.frequencyPenalty || request.presencePenalty) needs.add("penalties");

  const result: Needs = { features: FEATURES.filter((feature) => needs.has(feature)) };
  const only = request.passthrough && Object.keys(request.passthrough.fields);
  if (request.passthrough && only && only.length > 0) {
    const { protocol } = request.passthrough;
    result.protocol = { protocol, why: `${protocol}-only fields (${only.join(", ")})` };
  } else if (uploadedTo) {
    result.protocol = { protocol: uploadedTo, why: `a file uploaded to ${uploadedTo}` };
  }
  return result;
}

/**
 * What the tier lacks to serve a request with these needs, if anything: a
 * feature's name, or `<protocol>-only` for fields or files only a tier of that
 * protocol can take. Short and from a fixed set, so it can go in a header or a
 * metric label (the client's own field names are in `needs.protocol.why`).
 */
export function unmetBy(
  needs: Needs,
  tier: { capabilities: Capabilities; protocol: WireProtocol },
): string | undefined {
  for (const feature of needs.features) if (!tier.capabilities[feature]) return feature;
  if (needs.protocol && needs.protocol.protocol !== tier.protocol) return `${needs.protocol.protocol}-only`;
  return undefined;
}
