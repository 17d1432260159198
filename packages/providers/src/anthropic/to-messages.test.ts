import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../canonical/model.ts";
import { OPENING_USER_TURN, toAnthropicMessages } from "./to-messages.ts";
import { UNPARSED_ARGUMENTS_KEY } from "./tool-input.ts";

const user = (text: string): ChatMessage => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (text: string): ChatMessage => ({ role: "assistant", content: [{ type: "text", text }] });

describe("toAnthropicMessages", () => {
  it("merges consecutive turns of one role so that turns alternate", () => {
    expect(toAnthropicMessages([user("a"), user("b"), assistant("c"), assistant("d"), user("e")])).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "c" },
          { type: "text", text: "d" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "e" }] },
    ]);
  });

  it("puts a user turn's tool results before its other content", () => {
    const messages: ChatMessage[] = [
      user("What is the weather?"),
      {
        role: "assistant",
        content: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }],
      },
      user("Answer in French."),
      {
        role: "user",
        content: [{ type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "4°C" }] }],
      },
    ];
    expect(toAnthropicMessages(messages)[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_1", content: [{ type: "text", text: "4°C" }] },
        { type: "text", text: "Answer in French." },
      ],
    });
  });

  it("opens a conversation that starts with the assistant with a user turn", () => {
    const turns = toAnthropicMessages([assistant("Hello! How can I help?"), user("Hi")]);
    expect(turns.map((turn) => turn.role)).toEqual(["user", "assistant", "user"]);
    expect(turns[0]?.content).toEqual([{ type: "text", text: OPENING_USER_TURN }]);
  });

  it("leaves out reasoning Anthropic did not sign and merges the turns around an assistant turn left empty", () => {
    const messages: ChatMessage[] = [
      user("a"),
      {
        role: "assistant",
        content: [{ type: "reasoning", text: "thought by Gemini", signature: "c2lnMQ==", signedBy: "gemini" }],
      },
      user("b"),
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "unsigned" },
          { type: "redacted_reasoning", data: "opaque" },
          { type: "refusal", text: "I can't help with that." },
        ],
      },
    ];
    expect(toAnthropicMessages(messages)).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "redacted_thinking", data: "opaque" },
          { type: "text", text: "I can't help with that." },
        ],
      },
    ]);
  });

  it.each([
    ["parsed object arguments as the input", '{"city":"Oslo"}', { city: "Oslo" }],
    ["no arguments as an empty input", "", {}],
    [
      "arguments that are not JSON verbatim under one key",
      '{"city": "Oslo"',
      { [UNPARSED_ARGUMENTS_KEY]: '{"city": "Oslo"' },
    ],
    ["JSON that is not an object verbatim under one key", '["Oslo"]', { [UNPARSED_ARGUMENTS_KEY]: '["Oslo"]' }],
  ])("sends %s", (_, args, input) => {
    const messages: ChatMessage[] = [
      user("Weather?"),
      { role: "assistant", content: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: args }] },
    ];
    expect(toAnthropicMessages(messages)[1]?.content).toEqual([
      { type: "tool_use", id: "call_1", name: "get_weather", input },
    ]);
  });

  it("sends images and documents with their sources, title and context, and plain-text base64 as a text document", () => {
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQ" }, detail: "high" },
          { type: "image", source: { kind: "file_id", fileId: "file_abc", protocol: "anthropic" } },
          {
            type: "document",
            source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0x" },
            filename: "report.pdf",
            title: "Report",
            context: "Q3",
          },
          {
            type: "document",
            source: { kind: "base64", mediaType: "text/plain", data: Buffer.from("notes").toString("base64") },
          },
          { type: "document", source: { kind: "url", url: "https://example.com/a.pdf" } },
        ],
      },
    ];
    expect(toAnthropicMessages(messages)[0]?.content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
      { type: "image", source: { type: "file", file_id: "file_abc" } },
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" },
        title: "Report",
        context: "Q3",
      },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } },
      { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } },
    ]);
  });

  it("leaves out empty text, which Anthropic refuses, and keeps tool results that have no content", () => {
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "" },
          { type: "tool_result", toolCallId: "call_1", content: [], isError: true },
        ],
      },
    ];
    expect(toAnthropicMessages(messages)).toEqual([
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", is_error: true }] },
    ]);
  });
});
