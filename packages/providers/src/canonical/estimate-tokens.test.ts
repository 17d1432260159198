import { describe, expect, it } from "vitest";
import { estimateInputTokens } from "./estimate-tokens.ts";
import type { ChatRequest } from "./model.ts";

const text = (chars: number) => "x".repeat(chars);

describe("estimateInputTokens", () => {
  it("counts about four characters a token over the system prompt and messages", () => {
    const request: ChatRequest = {
      system: [{ type: "text", text: text(40) }],
      messages: [
        { role: "user", content: [{ type: "text", text: text(40) }] },
        { role: "assistant", content: [{ type: "text", text: text(20) }] },
      ],
    };
    expect(estimateInputTokens(request)).toBe(25);
  });

  it("counts tool schemas, tool calls and tool results", () => {
    const parameters = { type: "object" };
    const request: ChatRequest = {
      system: [],
      tools: [{ name: "abcd", description: text(8), parameters }],
      messages: [
        { role: "assistant", content: [{ type: "tool_call", id: "c", name: "abcd", arguments: text(12) }] },
        {
          role: "user",
          content: [{ type: "tool_result", toolCallId: "c", content: [{ type: "text", text: text(16) }] }],
        },
      ],
    };
    const chars = 4 + 8 + JSON.stringify(parameters).length + (4 + 12) + 16;
    expect(estimateInputTokens(request)).toBe(Math.ceil(chars / 4));
  });

  it("counts a fixed figure per image and per binary document, and text documents by their text", () => {
    const request: ChatRequest = {
      system: [],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
            { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: text(100_000) } },
            { type: "document", source: { kind: "text", text: text(400) } },
          ],
        },
      ],
    };
    expect(estimateInputTokens(request)).toBe(1_600 + 3_000 + 100);
  });
});
