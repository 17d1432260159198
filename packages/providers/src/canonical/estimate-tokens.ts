import type { ChatRequest, DocumentPart, ImagePart, TextPart } from "./model.ts";

/** Rough figures: ~4 characters a token in English text and JSON; a typical image; a document of a few pages. */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_IMAGE = 1_600;
const TOKENS_PER_DOCUMENT = 3_000;

/**
 * A rough count of the input tokens a request would use, for token-count
 * requests on a route with no tier that can count them (only Anthropic's API
 * counts). Text is counted by characters; images and documents (whose pages
 * are unknown without parsing them) by a fixed figure each.
 */
export function estimateInputTokens(request: ChatRequest): number {
  let chars = 0;
  let fixed = 0;
  const media = (part: TextPart | ImagePart | DocumentPart) => {
    switch (part.type) {
      case "text":
        chars += part.text.length;
        return;
      case "image":
        fixed += TOKENS_PER_IMAGE;
        return;
      case "document":
        chars += (part.title?.length ?? 0) + (part.context?.length ?? 0);
        if (part.source.kind === "text") chars += part.source.text.length;
        else fixed += TOKENS_PER_DOCUMENT;
        return;
    }
  };
  for (const part of request.system) chars += part.text.length;
  for (const message of request.messages) {
    for (const part of message.content) {
      switch (part.type) {
        case "text":
        case "image":
        case "document":
          media(part);
          break;
        case "tool_result":
          for (const inner of part.content) media(inner);
          break;
        case "tool_call":
          chars += part.name.length + part.arguments.length;
          break;
        case "reasoning":
        case "refusal":
          chars += part.text.length;
          break;
        case "redacted_reasoning":
          chars += part.data.length;
          break;
      }
    }
  }
  for (const tool of request.tools ?? []) {
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + fixed;
}
