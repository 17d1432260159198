import type Anthropic from "@anthropic-ai/sdk";
import type {
  AssistantPart,
  CacheControl,
  ChatMessage,
  DocumentPart,
  ImagePart,
  TextPart,
  UserPart,
} from "../canonical/model.ts";
import { signatureFor } from "../canonical/signatures.ts";
import { toolInput } from "./tool-input.ts";

type UserMessage = Anthropic.Messages.UserMessageParam;
type AssistantMessage = Anthropic.Messages.AssistantMessageParam;
type Block = Anthropic.Messages.ContentBlockParam;
type ToolResultContent =
  | Anthropic.Messages.TextBlockParam
  | Anthropic.Messages.ImageBlockParam
  | Anthropic.Messages.DocumentBlockParam;

/** What opens a conversation that starts with the assistant (an OpenAI greeting): Anthropic's first turn must be the user's. */
export const OPENING_USER_TURN = "(start of conversation)";

/**
 * Canonical messages as Anthropic turns. Anthropic wants user and assistant
 * turns to alternate, starting with the user, and a user turn's tool results
 * before anything else in it; clients of other protocols send neither
 * guarantee (two user messages in a row, an OpenAI `tool` message followed by
 * a user message). Message `name`s have no Anthropic equivalent: an annotation.
 */
export function toAnthropicMessages(messages: ChatMessage[]): Array<UserMessage | AssistantMessage> {
  const turns: Array<{ role: "user" | "assistant"; content: Block[] }> = [];
  for (const message of messages) {
    const content =
      message.role === "user" ? message.content.flatMap(userBlocks) : message.content.flatMap(assistantBlocks);
    // A turn left empty (only unsigned reasoning, only empty text) cannot be sent; its neighbours merge instead.
    if (content.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === message.role) last.content.push(...content);
    else turns.push({ role: message.role, content });
  }
  for (const turn of turns) {
    if (turn.role === "user") turn.content = toolResultsFirst(turn.content);
  }
  if (turns[0]?.role === "assistant") {
    turns.unshift({ role: "user", content: [{ type: "text", text: OPENING_USER_TURN }] });
  }
  return turns;
}

function toolResultsFirst(content: Block[]): Block[] {
  const results = content.filter((block) => block.type === "tool_result");
  return results.length === 0 ? content : [...results, ...content.filter((block) => block.type !== "tool_result")];
}

function userBlocks(part: UserPart): Block[] {
  switch (part.type) {
    case "text":
    case "image":
    case "document":
      return mediaOrText(part);
    case "tool_result": {
      const content = part.content.flatMap(mediaOrText);
      return [
        {
          type: "tool_result",
          tool_use_id: part.toolCallId,
          ...(content.length > 0 && { content }),
          ...(part.isError !== undefined && { is_error: part.isError }),
          ...cacheControlParam(part.cacheControl),
        },
      ];
    }
  }
}

function assistantBlocks(part: AssistantPart): Block[] {
  switch (part.type) {
    case "text":
      return textBlocks(part);
    case "refusal":
      return textBlocks({ type: "text", text: part.text });
    case "reasoning": {
      // Anthropic verifies thinking signatures: reasoning it did not sign (another provider's) cannot go back as thinking.
      const signature = signatureFor(part, "anthropic");
      return signature ? [{ type: "thinking", thinking: part.text, signature }] : [];
    }
    case "redacted_reasoning":
      return [{ type: "redacted_thinking", data: part.data }];
    case "tool_call":
      // A Gemini thought signature on the call is for Gemini only: an annotation here.
      return [
        {
          type: "tool_use",
          id: part.id,
          name: part.name,
          input: toolInput(part.arguments),
          ...cacheControlParam(part.cacheControl),
        },
      ];
  }
}

/** Anthropic refuses empty text blocks; they carry nothing, so they are left out. */
const textBlocks = (part: TextPart): Anthropic.Messages.TextBlockParam[] =>
  part.text === "" ? [] : [{ type: "text", text: part.text, ...cacheControlParam(part.cacheControl) }];

function mediaOrText(part: TextPart | ImagePart | DocumentPart): ToolResultContent[] {
  switch (part.type) {
    case "text":
      return textBlocks(part);
    case "image":
      // OpenAI's image `detail` has no Anthropic equivalent (Anthropic sizes images itself): an annotation.
      return [{ type: "image", source: imageSource(part.source), ...cacheControlParam(part.cacheControl) }];
    case "document":
      // A filename has no place in an Anthropic document: an annotation.
      return [
        {
          type: "document",
          source: documentSource(part.source),
          ...(part.title !== undefined && { title: part.title }),
          ...(part.context !== undefined && { context: part.context }),
          ...cacheControlParam(part.cacheControl),
        },
      ];
  }
}

function imageSource(source: ImagePart["source"]): Anthropic.Messages.ImageBlockParam["source"] {
  switch (source.kind) {
    case "base64":
      // Other media types go as they came: Anthropic's 400 names them better than a guess would.
      return {
        type: "base64",
        media_type: source.mediaType as Anthropic.Messages.Base64ImageSource["media_type"],
        data: source.data,
      };
    case "url":
      return { type: "url", url: source.url };
    case "file_id":
      // Only a file uploaded to Anthropic gets here: a file of another provider restricts the request to its tiers.
      return { type: "file", file_id: source.fileId };
  }
}

function documentSource(source: DocumentPart["source"]): Anthropic.Messages.DocumentBlockParam["source"] {
  switch (source.kind) {
    case "text":
      return { type: "text", media_type: "text/plain", data: source.text };
    case "base64":
      // Anthropic's base64 documents are PDFs; plain text travels as a text source.
      if (source.mediaType === "text/plain") {
        return { type: "text", media_type: "text/plain", data: Buffer.from(source.data, "base64").toString("utf8") };
      }
      return { type: "base64", media_type: source.mediaType as "application/pdf", data: source.data };
    case "url":
      return { type: "url", url: source.url };
    case "file_id":
      return { type: "file", file_id: source.fileId };
  }
}

/** A canonical cache breakpoint as Anthropic's `cache_control`, spread into a block or a tool. */
export function cacheControlParam(cacheControl: CacheControl | undefined): {
  cache_control?: Anthropic.Messages.CacheControlEphemeral;
} {
  if (!cacheControl) return {};
  return { cache_control: { type: "ephemeral", ...(cacheControl.ttl && { ttl: cacheControl.ttl }) } };
}
