import { type ResponsesRequest, ResponsesStreamWriter, responseEchoOf, toResponse } from "@breakwater/providers";
import type { Rendering } from "../inbound.ts";

/** OpenAI Responses: the response object echoes the request's settings, in every rendering. */
export function responsesRendering(body: ResponsesRequest): Rendering {
  const echo = responseEchoOf(body);
  return {
    idPrefix: "resp_",
    completion: (response, meta) => toResponse(response, meta, echo),
    streamWriter: (meta) => new ResponsesStreamWriter(meta, echo),
  };
}
