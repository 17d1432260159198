import { describe, expect, it } from "vitest";
import { answerTextOf, transcriptOf } from "./transcript.ts";

describe("what a judge reads", () => {
  it("shows the requested schema and the tools first, marks attachments and tool results", () => {
    const { text: transcript } = transcriptOf(
      {
        system: [{ type: "text", text: "Be terse." }],
        responseFormat: { type: "json_schema", name: "o", schema: { type: "object", required: ["a"] } },
        tools: [{ name: "get_weather", description: "Weather by city", parameters: { type: "object" } }],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Look at this " },
              { type: "image", source: { kind: "url", url: "https://x/y.png" } },
              {
                type: "document",
                filename: "q3.pdf",
                source: { kind: "base64", mediaType: "application/pdf", data: "JVB" },
              },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "reasoning", text: "secret thoughts", signature: "s", signedBy: "anthropic" },
              { type: "tool_call", id: "1", name: "get_weather", arguments: '{"city":"Nice"}' },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolCallId: "1", isError: true, content: [{ type: "text", text: "timeout" }] },
            ],
          },
        ],
      },
      8_000,
    );
    expect(transcript).toContain('[the answer must be JSON matching this schema: {"type":"object","required":["a"]}]');
    expect(transcript).toContain('[tools offered]\nget_weather — Weather by city: {"type":"object"}');
    expect(transcript).toContain("system: Be terse.");
    expect(transcript).toContain("user: Look at this [image][document: q3.pdf]");
    expect(transcript).toContain('[tool call] get_weather({"city":"Nice"})');
    expect(transcript).toContain("[tool result (error)] timeout");
    expect(transcript).not.toContain("secret thoughts");
    expect(transcript.indexOf("[tools offered]")).toBeLessThan(transcript.indexOf("system:"));
  });

  it("keeps the latest turns within its budget, however many tools the request offers", () => {
    const tools = Array.from({ length: 40 }, (_, index) => ({
      name: `tool_${index}`,
      parameters: { type: "object", properties: { id: { type: "string", description: "x".repeat(200) } } },
    }));
    const messages = Array.from({ length: 60 }, (_, index) => ({
      role: "user" as const,
      content: [{ type: "text" as const, text: `turn ${index} ${"y".repeat(300)}` }],
    }));
    const { text, chars } = transcriptOf({ system: [], tools, messages }, 8_000);
    expect(text.length).toBeLessThanOrEqual(8_000);
    expect(chars).toBeGreaterThan(8_000);
    expect(text).toContain("[tools offered]");
    expect(text).toContain("turn 59");
    expect(text).toContain("[… earlier conversation cut …]");
  });

  it("reads an answer's text and tool calls, not its reasoning", () => {
    const answer = answerTextOf({
      choices: [
        {
          finishReason: "tool_calls",
          content: [
            { type: "reasoning", text: "hmm" },
            { type: "text", text: "Checking." },
            { type: "tool_call", id: "1", name: "lookup", arguments: '{"q":"x"}' },
          ],
        },
      ],
    });
    expect(answer).toBe('Checking.\n[tool call] lookup({"q":"x"})\n');
  });
});
