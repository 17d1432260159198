import type { Protocol } from "../types.ts";
import { renderMessage } from "./complete.ts";
import { renderError, renderStreamError } from "./errors.ts";
import { parseMessages } from "./parse.ts";
import { renderStream } from "./stream.ts";

/** Anthropic Messages (and count_tokens). */
export const anthropic: Protocol = {
  name: "anthropic",
  requestIdHeader: "request-id",
  parse: parseMessages,
  complete: renderMessage,
  stream: renderStream,
  error: renderError,
  streamError: renderStreamError,
  countTokens: (inputTokens) => ({ input_tokens: inputTokens }),
};
