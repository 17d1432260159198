import { InvalidRequest } from "../canonical/invalid-request.ts";
import { mediaFromUrl } from "../canonical/media.ts";
import type { AssistantPart, ChatMessage, DocumentPart, ImagePart, TextPart, UserPart } from "../canonical/model.ts";
import { signatureFromClient } from "../canonical/signatures.ts";
import { redactedOf } from "./redacted-reasoning.ts";
import type { InputContentPart, InputItem } from "./request-schema.ts";

type MessageItem = Extract<InputItem, { type: "message" }>;
type ReasoningItem = Extract<InputItem, { type: "reasoning" }>;

/**
 * The conversation the input items amount to. Instructions and system or
 * developer messages become the system prompt, in order. Assistant-side items
 * (assistant messages, function calls, reasoning) that follow each other form
 * one assistant turn, in order; function call outputs that follow each other
 * form one user turn of tool results.
 */
export function conversationOf(
  items: InputItem[],
  instructions: string | null | undefined,
): { system: TextPart[]; messages: ChatMessage[] } {
  const system: TextPart[] = instructions ? [{ type: "text", text: instructions }] : [];
  const messages: ChatMessage[] = [];
  const assistantTurn = (): AssistantPart[] => {
    const last = messages.at(-1);
    if (last?.role === "assistant") return last.content;
    const content: AssistantPart[] = [];
    messages.push({ role: "assistant", content });
    return content;
  };
  const toolResultTurn = (): UserPart[] => {
    const last = messages.at(-1);
    if (last?.role === "user" && last.content.every((part) => part.type === "tool_result")) return last.content;
    const content: UserPart[] = [];
    messages.push({ role: "user", content });
    return content;
  };

  const addMessage = (item: MessageItem, path: string) => {
    switch (item.role) {
      case "system":
      case "developer":
        system.push(...item.content.map((part): TextPart => ({ type: "text", text: part.text })));
        return;
      case "user":
        messages.push({
          role: "user",
          content: item.content.map((part, at) => userPart(part, `${path}.content.${at}`)),
        });
        return;
      case "assistant": {
        // `phase` (commentary or final answer) only labels the message for OpenAI's codex models: an annotation.
        const parts = item.content.flatMap((part): AssistantPart[] => {
          if (part.type === "refusal") return [{ type: "refusal", text: part.refusal }];
          return part.text === "" ? [] : [{ type: "text", text: part.text }];
        });
        if (parts.length > 0) assistantTurn().push(...parts);
        return;
      }
    }
  };

  items.forEach((item, index) => {
    const path = `input.${index}`;
    switch (item.type) {
      case "message":
        addMessage(item, path);
        return;
      case "function_call":
        assistantTurn().push({ type: "tool_call", id: item.call_id, name: item.name, arguments: item.arguments });
        return;
      case "reasoning": {
        const part = reasoningPart(item);
        if (part) assistantTurn().push(part);
        return;
      }
      case "function_call_output":
        toolResultTurn().push({
          type: "tool_result",
          toolCallId: item.call_id,
          content: item.output.map((part, at) => userPart(part, `${path}.output.${at}`)),
        });
        return;
      case "item_reference":
        throw new InvalidRequest(
          path,
          "Breakwater is stateless and stores no items to reference: send the item itself (with the Vercel AI SDK, set providerOptions.openai.store to false)",
        );
    }
  });
  if (messages.length === 0)
    throw new InvalidRequest("input", "at least one user, assistant or function call item is required");
  return { system, messages };
}

/**
 * A reasoning item as reasoning: its full text when the client has it (open
 * models return `content`), else its summary. `encrypted_content` is the
 * signature, tagged with its issuer unless OpenAI issued it (signatures.ts).
 * An item with neither text nor encrypted content carries nothing a model
 * can use, only the id of an item never stored here.
 */
function reasoningPart(item: ReasoningItem): AssistantPart | undefined {
  const encrypted = item.encrypted_content ?? undefined;
  const redacted = encrypted === undefined ? undefined : redactedOf(encrypted);
  if (redacted !== undefined) return { type: "redacted_reasoning", data: redacted };
  const text = item.content?.length
    ? item.content.map((part) => part.text).join("")
    : item.summary.map((part) => part.text).join("\n\n");
  if (text === "" && encrypted === undefined) return undefined;
  return { type: "reasoning", text, ...(encrypted !== undefined && signatureFromClient(encrypted, "openai")) };
}

function userPart(part: InputContentPart, path: string): TextPart | ImagePart | DocumentPart {
  switch (part.type) {
    case "input_text":
      return { type: "text", text: part.text };
    case "input_image": {
      if (part.image_url == null) {
        throw new InvalidRequest(
          `${path}.file_id`,
          "Breakwater is stateless and cannot read images uploaded to OpenAI for every tier: send image_url (an http(s) URL or a data: URI) instead",
        );
      }
      return {
        type: "image",
        source: mediaFromUrl(part.image_url),
        ...(part.detail != null && { detail: part.detail }),
      };
    }
    case "input_file":
      return {
        type: "document",
        source: documentSource(part, path),
        ...(part.filename != null && { filename: part.filename }),
      };
  }
}

function documentSource(file: Extract<InputContentPart, { type: "input_file" }>, path: string): DocumentPart["source"] {
  // A file uploaded to OpenAI: only OpenAI tiers can read it, so the request is kept to them.
  if (file.file_id != null) return { kind: "file_id", fileId: file.file_id, protocol: "openai" };
  if (file.file_url != null) return { kind: "url", url: file.file_url };
  const data = file.file_data as string;
  if (/^https?:/i.test(data))
    throw new InvalidRequest(`${path}.file_data`, "must be base64 data, not a URL (send file_url)");
  const source = mediaFromUrl(data);
  // Bare base64 (no data: prefix) is a PDF, as OpenAI documents it.
  return source.kind === "url" ? { kind: "base64", mediaType: "application/pdf", data } : source;
}
