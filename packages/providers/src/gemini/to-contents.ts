import { type Content, type Part, PartMediaResolutionLevel } from "@google/genai";
import { mediaTypeOfUrl } from "../canonical/media.ts";
import type {
  AssistantPart,
  ChatMessage,
  DocumentPart,
  ImagePart,
  MediaSource,
  ToolCallPart,
  UserPart,
} from "../canonical/model.ts";
import { signatureFor } from "../canonical/signatures.ts";
import { ProviderError } from "../errors.ts";

/**
 * Google's documented stand-in for a function call Gemini did not make (another
 * provider's, or one written by hand): Gemini 3 rejects a function call in the
 * history without a thought signature, and this value skips the check.
 * https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ)
 */
export const FOREIGN_CALL_SIGNATURE = "skip_thought_signature_validator";

const mediaResolutions = {
  low: PartMediaResolutionLevel.MEDIA_RESOLUTION_LOW,
  high: PartMediaResolutionLevel.MEDIA_RESOLUTION_HIGH,
} as const;

/**
 * The conversation as Gemini contents: roles user and model, consecutive
 * turns of one role merged (Gemini wants them to alternate). A turn left with
 * no parts (only reasoning Gemini cannot take back) is left out, as Gemini
 * refuses empty turns. A message's `name` has no Gemini equivalent.
 */
export function toContents(messages: ChatMessage[]): Content[] {
  const toolNames = new Map<string, string>();
  const contents: Content[] = [];
  messages.forEach((message, index) => {
    const path = `messages.${index}`;
    const role = message.role === "assistant" ? "model" : "user";
    const parts =
      message.role === "assistant"
        ? modelParts(message.content, path, toolNames)
        : userParts(message.content, path, toolNames);
    if (parts.length === 0) return;
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts = [...(previous.parts ?? []), ...parts];
    else contents.push({ role, parts });
  });
  return contents;
}

function modelParts(content: AssistantPart[], path: string, toolNames: Map<string, string>): Part[] {
  // Gemini signs only the first of parallel calls; a turn of unsigned calls came from elsewhere.
  let unsigned = !content.some((part) => part.type === "tool_call" && signatureFor(part, "gemini"));
  return content.flatMap((part, index) => {
    if (part.type !== "tool_call") return modelPart(part);
    toolNames.set(part.id, part.name);
    const signature = signatureFor(part, "gemini") ?? (unsigned ? FOREIGN_CALL_SIGNATURE : undefined);
    unsigned = false;
    const args = argumentsOf(part, `${path}.content.${index}`);
    return [
      { functionCall: { id: part.id, name: part.name, args }, ...(signature && { thoughtSignature: signature }) },
    ];
  });
}

function modelPart(part: Exclude<AssistantPart, ToolCallPart>): Part[] {
  switch (part.type) {
    case "text":
    case "refusal":
      return [{ text: part.text }];
    case "reasoning": {
      // Gemini reads back only thoughts it signed; other reasoning (another provider's, or a summary) has no form here.
      const signature = signatureFor(part, "gemini");
      return signature ? [{ text: part.text, thought: true, thoughtSignature: signature }] : [];
    }
    case "redacted_reasoning":
      // Anthropic's encrypted thinking: only Anthropic can read it.
      return [];
  }
}

/** Gemini takes a call's arguments as an object, not as the text the model wrote. */
function argumentsOf(part: ToolCallPart, path: string): Record<string, unknown> {
  let args: unknown;
  try {
    args = JSON.parse(part.arguments.trim() === "" ? "{}" : part.arguments);
  } catch {
    args = undefined;
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new ProviderError({
      errorClass: "client",
      message: `${path}.arguments: a Gemini function call needs a JSON object as arguments`,
    });
  }
  return args as Record<string, unknown>;
}

function userParts(content: UserPart[], path: string, toolNames: Map<string, string>): Part[] {
  return content.flatMap((part, index) => userPart(part, `${path}.content.${index}`, toolNames));
}

function userPart(part: UserPart, path: string, toolNames: Map<string, string>): Part[] {
  switch (part.type) {
    case "text":
      // cacheControl on any part: Gemini caches repeated prefixes by itself.
      return [{ text: part.text }];
    case "image":
      return [imagePart(part, path)];
    case "document":
      return documentParts(part, path);
    case "tool_result": {
      // Gemini answers a call by its name; the call must come before its result, as on every protocol.
      const name = toolNames.get(part.toolCallId);
      if (name === undefined) {
        throw new ProviderError({
          errorClass: "client",
          message: `${path}.toolCallId: no earlier tool call has the id "${part.toolCallId}"`,
        });
      }
      const text = part.content.flatMap((inner) => (inner.type === "text" ? [inner.text] : [])).join("\n");
      const media = part.content.flatMap((inner, index) =>
        inner.type === "text" ? [] : userPart(inner, `${path}.content.${index}`, toolNames),
      );
      const response = part.isError ? { error: text } : { output: text };
      return [{ functionResponse: { id: part.toolCallId, name, response } }, ...media];
    }
  }
}

function imagePart(part: ImagePart, path: string): Part {
  const level = part.detail && part.detail !== "auto" ? mediaResolutions[part.detail] : undefined;
  return { ...mediaPart(part.source, "image/jpeg", path), ...(level && { mediaResolution: { level } }) };
}

/** A document's title and context come first as text; its filename has no Gemini field that reaches the model. */
function documentParts(part: DocumentPart, path: string): Part[] {
  const heading = [part.title, part.context].filter(Boolean).join("\n");
  const parts: Part[] = heading ? [{ text: heading }] : [];
  const { source } = part;
  parts.push(source.kind === "text" ? { text: source.text } : mediaPart(source, "application/pdf", path));
  return parts;
}

function mediaPart(source: MediaSource, fallbackType: string, path: string): Part {
  switch (source.kind) {
    case "base64":
      return { inlineData: { mimeType: source.mediaType, data: source.data } };
    case "url":
      return { fileData: { fileUri: source.url, mimeType: mediaTypeOfUrl(source.url, fallbackType) } };
    case "file_id":
      // Never reaches a Gemini tier: requirements.ts keeps such requests on the protocol the file was uploaded to.
      throw new ProviderError({
        errorClass: "client",
        message: `${path}: a file uploaded to ${source.protocol} can only be read by ${source.protocol} tiers`,
      });
  }
}
