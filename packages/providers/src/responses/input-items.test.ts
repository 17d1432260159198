import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import { needsOf } from "../canonical/requirements.ts";
import { conversationOf } from "./input-items.ts";
import { encryptedRedacted } from "./redacted-reasoning.ts";
import { responsesRequestSchema } from "./request-schema.ts";

const conversation = (input: unknown, instructions?: string) =>
  conversationOf(responsesRequestSchema.parse({ model: "m", input }).input ?? [], instructions);
const turns = (input: unknown) => conversation(input).messages;
const user = (text: string) => ({ role: "user", content: text });

describe("conversationOf", () => {
  it("reads a string input as one user message", () => {
    expect(conversation("Hi", "Be brief.")).toEqual({
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    });
  });

  it("gathers system and developer messages into the system prompt, in order, wherever they stand", () => {
    const { system, messages } = conversation(
      [
        { role: "system", content: "One." },
        user("Hi"),
        { role: "developer", content: [{ type: "input_text", text: "Two." }] },
      ],
      "Zero.",
    );
    expect(system.map((part) => part.text)).toEqual(["Zero.", "One.", "Two."]);
    expect(messages).toHaveLength(1);
  });

  it("maps assistant refusals and leaves empty assistant text out", () => {
    expect(
      turns([
        user("Hi"),
        { role: "assistant", content: "" },
        { role: "assistant", content: [{ type: "refusal", refusal: "I can't help with that." }] },
      ]),
    ).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "refusal", text: "I can't help with that." }] },
    ]);
  });

  it("keeps function call outputs split by a user message in separate turns", () => {
    const messages = turns([
      user("Hi"),
      { type: "function_call", call_id: "a", name: "f", arguments: "{}" },
      { type: "function_call_output", call_id: "a", output: "1" },
      user("More"),
      { type: "function_call_output", call_id: "b", output: "2" },
    ]);
    expect(messages.map((message) => [message.role, message.content.map((part) => part.type)])).toEqual([
      ["user", ["text"]],
      ["assistant", ["tool_call"]],
      ["user", ["tool_result"]],
      ["user", ["text"]],
      ["user", ["tool_result"]],
    ]);
  });

  it("reads tool outputs with images and files", () => {
    const [result] = turns([
      {
        type: "function_call_output",
        call_id: "shot",
        output: [
          { type: "input_text", text: "Screenshot:" },
          { type: "input_image", image_url: "https://example.com/s.png", detail: "high" },
          { type: "input_file", file_url: "https://example.com/log.pdf" },
        ],
      },
    ]);
    expect(result?.content).toEqual([
      {
        type: "tool_result",
        toolCallId: "shot",
        content: [
          { type: "text", text: "Screenshot:" },
          { type: "image", source: { kind: "url", url: "https://example.com/s.png" }, detail: "high" },
          { type: "document", source: { kind: "url", url: "https://example.com/log.pdf" } },
        ],
      },
    ]);
  });

  it("reads a reasoning item's full text over its summary", () => {
    const [, assistant] = turns([
      user("Hi"),
      {
        type: "reasoning",
        id: "rs_1",
        summary: [{ type: "summary_text", text: "Short." }],
        content: [
          { type: "reasoning_text", text: "The long " },
          { type: "reasoning_text", text: "thought." },
        ],
      },
    ]);
    expect(assistant?.content).toEqual([{ type: "reasoning", text: "The long thought." }]);
  });

  it("joins several summary parts into one reasoning text", () => {
    const [, assistant] = turns([
      user("Hi"),
      {
        type: "reasoning",
        summary: [
          { type: "summary_text", text: "First." },
          { type: "summary_text", text: "Second." },
        ],
      },
    ]);
    expect(assistant?.content).toEqual([{ type: "reasoning", text: "First.\n\nSecond." }]);
  });

  it("turns the encrypted content Breakwater gave redacted reasoning back into redacted reasoning", () => {
    const [, assistant] = turns([
      user("Hi"),
      { type: "reasoning", id: "rs_1", summary: [], encrypted_content: encryptedRedacted("opaque-bytes") },
    ]);
    expect(assistant?.content).toEqual([{ type: "redacted_reasoning", data: "opaque-bytes" }]);
  });

  it("leaves out a reasoning item that carries neither text nor encrypted content", () => {
    expect(turns([user("Hi"), { type: "reasoning", id: "rs_1", summary: [] }])).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
    ]);
  });

  it("keeps a document uploaded to OpenAI to OpenAI tiers", () => {
    const messages = turns([{ role: "user", content: [{ type: "input_file", file_id: "file-abc" }] }]);
    expect(messages[0]?.content).toEqual([
      { type: "document", source: { kind: "file_id", fileId: "file-abc", protocol: "openai" } },
    ]);
    expect(needsOf({ system: [], messages }).protocol?.protocol).toBe("openai");
  });

  it("reads a file_url as a document URL, which skips tiers that cannot fetch one", () => {
    const messages = turns([
      { role: "user", content: [{ type: "input_file", file_url: "https://example.com/a.pdf" }] },
    ]);
    expect(needsOf({ system: [], messages }).features).toEqual(["pdf", "document_url"]);
  });

  it("reads bare base64 file_data as a PDF", () => {
    const messages = turns([
      { role: "user", content: [{ type: "input_file", file_data: "JVBERi0x", filename: "a.pdf" }] },
    ]);
    expect(messages[0]?.content).toEqual([
      {
        type: "document",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" },
        filename: "a.pdf",
      },
    ]);
  });

  it("refuses a URL in file_data", () => {
    expect(() =>
      turns([{ role: "user", content: [{ type: "input_file", file_data: "https://example.com/a.pdf" }] }]),
    ).toThrow(new InvalidRequest("input.0.content.0.file_data", "must be base64 data, not a URL (send file_url)"));
  });

  it("refuses an image by file_id, saying to send image_url", () => {
    try {
      turns([
        user("Hi"),
        { type: "function_call_output", call_id: "a", output: [{ type: "input_image", file_id: "file-1" }] },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as InvalidRequest).path).toBe("input.1.output.0.file_id");
      expect((error as InvalidRequest).message).toContain("send image_url");
    }
  });

  it("needs at least one user, assistant or function call item", () => {
    expect(() => turns([{ role: "system", content: "Only a system prompt." }])).toThrow(InvalidRequest);
  });
});
