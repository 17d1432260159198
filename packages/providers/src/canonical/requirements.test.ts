import { DEFAULT_CAPABILITIES } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "./model.ts";
import { needsOf, unmetBy } from "./requirements.ts";

const text: ChatRequest = { system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
const anthropic = { capabilities: DEFAULT_CAPABILITIES.anthropic, protocol: "anthropic" as const };
const openai = { capabilities: DEFAULT_CAPABILITIES.openai, protocol: "openai" as const };
const local = { capabilities: DEFAULT_CAPABILITIES.openai_compatible, protocol: "openai" as const };

describe("what a request needs of a tier", () => {
  it("a plain text request needs nothing", () => {
    expect(needsOf(text)).toEqual({ features: [] });
    expect(unmetBy(needsOf(text), local)).toBeUndefined();
  });

  it("finds tools, images inside tool results, documents by URL, JSON, reasoning and sampling features", () => {
    const request: ChatRequest = {
      ...text,
      messages: [
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "1",
              content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }],
            },
            { type: "document", source: { kind: "url", url: "https://x/y.pdf" } },
          ],
        },
      ],
      responseFormat: { type: "json_object" },
      reasoning: { effort: "low" },
      n: 2,
      topK: 5,
      presencePenalty: 0.5,
    };
    expect(needsOf(request).features).toEqual([
      "tools",
      "vision",
      "pdf",
      "document_url",
      "json_schema",
      "reasoning",
      "n",
      "top_k",
      "penalties",
    ]);
  });

  it("names the first feature a tier lacks", () => {
    expect(unmetBy(needsOf({ ...text, logprobs: true }), anthropic)).toBe("logprobs");
    expect(unmetBy(needsOf({ ...text, logprobs: true }), openai)).toBeUndefined();
    expect(unmetBy(needsOf({ ...text, reasoning: { effort: "none" } }), local)).toBeUndefined();
  });

  it("keeps answer-shaping passthrough fields and uploaded files to their own protocol; hints restrict nothing", () => {
    const fields = needsOf({ ...text, passthrough: { protocol: "openai", fields: { prediction: {} }, hints: {} } });
    expect(unmetBy(fields, anthropic)).toBe("openai-only");
    expect(fields.protocol?.why).toBe("openai-only fields (prediction)");
    expect(unmetBy(fields, local)).toBeUndefined();
    const hints = needsOf({
      ...text,
      passthrough: { protocol: "openai", fields: {}, hints: { service_tier: "flex" } },
    });
    expect(unmetBy(hints, anthropic)).toBeUndefined();
    const file = needsOf({
      ...text,
      messages: [
        { role: "user", content: [{ type: "document", source: { kind: "file_id", fileId: "f", protocol: "openai" } }] },
      ],
    });
    expect(unmetBy(file, anthropic)).toBe("openai-only");
    expect(file.protocol?.why).toBe("a file uploaded to openai");
  });
});
