import type { Protocol } from "../types.ts";
import { renderResponse } from "./complete.ts";
import { renderError, renderStreamError } from "./errors.ts";
import { parseGenerateContent } from "./parse.ts";
import { renderStream } from "./stream.ts";

/** Gemini generateContent / streamGenerateContent. */
export const gemini: Protocol = {
  name: "gemini",
  parse: parseGenerateContent,
  complete: renderResponse,
  stream: renderStream,
  error: renderError,
  streamError: renderStreamError,
};
