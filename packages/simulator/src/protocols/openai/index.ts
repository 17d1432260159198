import type { Protocol } from "../types.ts";
import { renderCompletion } from "./complete.ts";
import { renderError, renderStreamError } from "./errors.ts";
import { parseChatCompletion } from "./parse.ts";
import { renderStream } from "./stream.ts";

/** OpenAI Chat Completions. */
export const openai: Protocol = {
  name: "openai",
  requestIdHeader: "x-request-id",
  parse: parseChatCompletion,
  complete: renderCompletion,
  stream: renderStream,
  error: renderError,
  streamError: renderStreamError,
};
