import type { ChatRequest, ChatResponse, ResponseMeta, StreamWriter, WireProtocol } from "@breakwater/providers";

/**
 * How one inbound request is answered in its client's protocol (OpenAI Chat
 * Completions, Anthropic Messages, OpenAI Responses). Everything else —
 * tiers, retries, breakers, checks, sampling, rung 3 — is shared by `serve`;
 * a rendering only renders.
 */
export interface Rendering {
  /** Response id prefix: `chatcmpl-`, `msg_`, `resp_`. */
  idPrefix: string;
  /** The protocol's stream opens with the input token count (Anthropic's message_start). */
  opensWithInputTokens?: boolean;
  completion(response: ChatResponse, meta: ResponseMeta): unknown;
  streamWriter(meta: ResponseMeta): StreamWriter;
}

/** An inbound request once validated and translated. */
export interface InboundRequest {
  /** The name of the client key that sent it (auth: `env:NAME`): the screen attributes flagged answers to it. */
  client: string;
  routeName: string;
  request: ChatRequest;
  stream: boolean;
  render: Rendering;
  /** The tier protocol the client speaks, if any (the router's RequestContext.clientProtocol). */
  clientProtocol: WireProtocol | undefined;
}
