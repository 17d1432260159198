import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolCallPart } from "../canonical/model.ts";
import { ProviderError } from "../errors.ts";
import { FOREIGN_CALL_SIGNATURE, toContents } from "./to-contents.ts";

const user = (text: string): ChatMessage => ({ role: "user", content: [{ type: "text", text }] });
const call = (id: string, name: string, extra: Partial<ToolCallPart> = {}): ToolCallPart => ({
  type: "tool_call",
  id,
  name,
  arguments: '{"city":"Paris"}',
  ...extra,
});

function failureOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ProviderError) return error.failure;
    throw error;
  }
  throw new Error("expected a ProviderError");
}

describe("toContents", () => {
  it("maps roles to user and model and merges consecutive turns of one role", () => {
    const contents = toContents([
      user("one"),
      user("two"),
      { role: "assistant", content: [{ type: "text", text: "three" }] },
      { role: "assistant", content: [{ type: "refusal", text: "four" }] },
      user("five"),
    ]);
    expect(contents).toEqual([
      { role: "user", parts: [{ text: "one" }, { text: "two" }] },
      { role: "model", parts: [{ text: "three" }, { text: "four" }] },
      { role: "user", parts: [{ text: "five" }] },
    ]);
  });

  it("leaves out a turn with nothing Gemini can take back, merging its neighbours", () => {
    const contents = toContents([
      user("one"),
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "unsigned thinking" },
          { type: "redacted_reasoning", data: "EmwKAhgBEgy3va3pzix" },
        ],
      },
      user("two"),
    ]);
    expect(contents).toEqual([{ role: "user", parts: [{ text: "one" }, { text: "two" }] }]);
  });

  it("sends signed reasoning back as a thought part", () => {
    const contents = toContents([
      user("q"),
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "thinking", signature: "c2lnMQ==", signedBy: "gemini" },
          { type: "text", text: "answer" },
        ],
      },
    ]);
    expect(contents[1]?.parts).toEqual([
      { text: "thinking", thought: true, thoughtSignature: "c2lnMQ==" },
      { text: "answer" },
    ]);
  });

  it("carries a base64 image as inlineData and a URL image as fileData typed by its extension", () => {
    const [content] = toContents([
      {
        role: "user",
        content: [
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { kind: "url", url: "https://example.com/cat.webp?size=large" } },
          { type: "image", source: { kind: "url", url: "https://example.com/render" } },
        ],
      },
    ]);
    expect(content?.parts).toEqual([
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { fileUri: "https://example.com/cat.webp?size=large", mimeType: "image/webp" } },
      { fileData: { fileUri: "https://example.com/render", mimeType: "image/jpeg" } },
    ]);
  });

  it("maps image detail low and high to the part's media resolution, and auto to none", () => {
    const source = { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } as const;
    const [content] = toContents([
      {
        role: "user",
        content: [
          { type: "image", source, detail: "low" },
          { type: "image", source, detail: "high" },
          { type: "image", source, detail: "auto" },
        ],
      },
    ]);
    expect(content?.parts?.map((part) => part.mediaResolution)).toEqual([
      { level: "MEDIA_RESOLUTION_LOW" },
      { level: "MEDIA_RESOLUTION_HIGH" },
      undefined,
    ]);
  });

  it("sends a base64 PDF as inlineData, a document URL as fileData, and a text document as text after its title and context", () => {
    const [content] = toContents([
      {
        role: "user",
        content: [
          {
            type: "document",
            source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQ=" },
            filename: "a.pdf",
          },
          { type: "document", source: { kind: "url", url: "https://example.com/report" } },
          {
            type: "document",
            source: { kind: "text", text: "Clause 1." },
            title: "Contract",
            context: "Signed in 2024",
          },
        ],
      },
    ]);
    expect(content?.parts).toEqual([
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0xLjQ=" } },
      { fileData: { fileUri: "https://example.com/report", mimeType: "application/pdf" } },
      { text: "Contract\nSigned in 2024" },
      { text: "Clause 1." },
    ]);
  });

  it("sends a tool call as a functionCall with parsed arguments and its thought signature", () => {
    const contents = toContents([
      user("weather?"),
      { role: "assistant", content: [call("call_1", "get_weather", { signature: "Q3B3Q0Fk", signedBy: "gemini" })] },
    ]);
    expect(contents[1]?.parts).toEqual([
      { functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "Q3B3Q0Fk" },
    ]);
  });

  it("gives empty arguments as an empty object", () => {
    const contents = toContents([
      user("time?"),
      { role: "assistant", content: [call("call_1", "get_time", { arguments: "" })] },
    ]);
    expect(contents[1]?.parts?.[0]?.functionCall?.args).toEqual({});
  });

  it("signs the first call of a turn from another provider with Google's dummy signature", () => {
    const contents = toContents([
      user("weather?"),
      { role: "assistant", content: [call("toolu_1", "get_weather"), call("toolu_2", "get_weather")] },
    ]);
    expect(contents[1]?.parts?.map((part) => part.thoughtSignature)).toEqual([FOREIGN_CALL_SIGNATURE, undefined]);
    expect(FOREIGN_CALL_SIGNATURE).toBe("skip_thought_signature_validator");
  });

  it("leaves Gemini's own unsigned parallel calls unsigned", () => {
    const contents = toContents([
      user("weather?"),
      {
        role: "assistant",
        content: [call("c1", "get_weather", { signature: "Q3B3Q0Fk", signedBy: "gemini" }), call("c2", "get_weather")],
      },
    ]);
    expect(contents[1]?.parts?.map((part) => part.thoughtSignature)).toEqual(["Q3B3Q0Fk", undefined]);
  });

  it("answers a tool result by the name of the earlier call with its id, as output or error", () => {
    const contents = toContents([
      user("weather?"),
      { role: "assistant", content: [call("c1", "get_weather"), call("c2", "get_time")] },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "c1",
            content: [
              { type: "text", text: "18°C" },
              { type: "text", text: "sunny" },
            ],
          },
          { type: "tool_result", toolCallId: "c2", content: [{ type: "text", text: "clock broken" }], isError: true },
        ],
      },
    ]);
    expect(contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { id: "c1", name: "get_weather", response: { output: "18°C\nsunny" } } },
        { functionResponse: { id: "c2", name: "get_time", response: { error: "clock broken" } } },
      ],
    });
  });

  it("puts the images and documents of a tool result right after its functionResponse", () => {
    const contents = toContents([
      user("screenshot?"),
      { role: "assistant", content: [call("c1", "screenshot")] },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            toolCallId: "c1",
            content: [
              { type: "text", text: "done" },
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
              { type: "document", source: { kind: "url", url: "https://example.com/log.txt" } },
            ],
          },
          { type: "text", text: "what do you see?" },
        ],
      },
    ]);
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { id: "c1", name: "screenshot", response: { output: "done" } } },
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { fileUri: "https://example.com/log.txt", mimeType: "text/plain" } },
      { text: "what do you see?" },
    ]);
  });

  it("refuses a tool result whose call is not earlier in the conversation, as the request's fault", () => {
    const failure = failureOf(() =>
      toContents([{ role: "user", content: [{ type: "tool_result", toolCallId: "c9", content: [] }] }]),
    );
    expect(failure).toEqual({
      errorClass: "client",
      message: expect.stringContaining("messages.0.content.0.toolCallId"),
    });
  });

  it("refuses tool call arguments that are not a JSON object", () => {
    const failure = failureOf(() =>
      toContents([user("q"), { role: "assistant", content: [call("c1", "f", { arguments: '["not", "an object"]' })] }]),
    );
    expect(failure).toEqual({
      errorClass: "client",
      message: expect.stringContaining("messages.1.content.0.arguments"),
    });
  });
});
