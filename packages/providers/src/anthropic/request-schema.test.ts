import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { readJson } from "./__fixtures__/read.ts";
import { countTokensRequestSchema, messagesRequestSchema } from "./request-schema.ts";

const minimal = { model: "support-bot", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] };

/** The first issue of a body the schema refuses: its dotted path and message. */
function refusal(body: unknown, schema: z.ZodType = messagesRequestSchema) {
  const result = schema.safeParse(body);
  if (result.success) throw new Error("the schema accepted the body");
  const [issue] = result.error.issues;
  return { path: issue?.path.join("."), message: issue?.message };
}

const withUserBlock = (block: unknown) => ({ ...minimal, messages: [{ role: "user", content: [block] }] });

describe("messagesRequestSchema", () => {
  it("accepts the documented body with every supported block type", () => {
    expect(messagesRequestSchema.safeParse(readJson("messages-request.json")).success).toBe(true);
  });

  it("requires max_tokens", () => {
    const { max_tokens: _, ...body } = minimal;
    expect(refusal(body).path).toBe("max_tokens");
  });

  it("keeps unknown top-level fields and refuses unknown nested ones with their path", () => {
    const parsed = messagesRequestSchema.parse({ ...minimal, x_vendor_flag: 1 });
    expect(parsed.x_vendor_flag).toBe(1);
    expect(refusal({ ...minimal, metadata: { user_id: "u", tenant: "t" } })).toMatchObject({
      path: "metadata",
      message: expect.stringContaining("tenant"),
    });
  });

  it("refuses a system role inside messages", () => {
    const body = { ...minimal, messages: [{ role: "system", content: "Be brief." }] };
    expect(refusal(body)).toMatchObject({
      path: "messages.0.role",
      message: expect.stringContaining("top-level system"),
    });
  });

  it("refuses text citations and documents with citations enabled", () => {
    const cited = { type: "text", text: "x", citations: [{ type: "char_location", cited_text: "x" }] };
    expect(refusal(withUserBlock(cited))).toEqual({
      path: "messages.0.content.0.citations",
      message: "citations are not supported",
    });
    const document = {
      type: "document",
      source: { type: "text", media_type: "text/plain", data: "x" },
      citations: { enabled: true },
    };
    expect(refusal(withUserBlock(document))).toEqual({
      path: "messages.0.content.0.citations.enabled",
      message: "citations are not supported",
    });
  });

  it.each([
    ["search_result", { type: "search_result", source: "s", title: "t", content: [] }],
    ["container_upload", { type: "container_upload", file_id: "file_1" }],
    ["server_tool_use", { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} }],
  ])("refuses %s blocks naming their path", (type, block) => {
    expect(refusal(withUserBlock(block))).toEqual({
      path: "messages.0.content.0.type",
      message: `"${type}" blocks are not supported in a user message (text, image, document, tool_result)`,
    });
  });

  it("refuses blocks of the other role (a tool_use in a user message)", () => {
    expect(refusal(withUserBlock({ type: "tool_use", id: "toolu_1", name: "f", input: {} })).path).toBe(
      "messages.0.content.0.type",
    );
  });

  it("refuses a search result inside a tool result", () => {
    const result = {
      type: "tool_result",
      tool_use_id: "toolu_1",
      content: [{ type: "search_result", source: "s", title: "t", content: [] }],
    };
    expect(refusal(withUserBlock(result)).path).toBe("messages.0.content.0.content.0.type");
  });

  it("refuses a content document source", () => {
    const document = { type: "document", source: { type: "content", content: "x" } };
    expect(refusal(withUserBlock(document))).toMatchObject({ path: "messages.0.content.0.source.type" });
  });

  it("refuses server tools by their type, whatever else they carry", () => {
    const body = { ...minimal, tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 3 }] };
    expect(refusal(body)).toEqual({ path: "tools.0.type", message: "only custom tools are supported" });
    const bash = { ...minimal, tools: [{ type: "bash_20250124", name: "bash" }] };
    expect(refusal(bash).message).toBe("only custom tools are supported");
  });

  it("refuses an unknown field on a custom tool", () => {
    const tool = { name: "f", input_schema: { type: "object" }, input_examples: [{}] };
    expect(refusal({ ...minimal, tools: [tool] })).toMatchObject({ path: "tools.0" });
  });

  it("takes adaptive thinking with display and refuses budgets under 1024", () => {
    expect(
      messagesRequestSchema.safeParse({ ...minimal, thinking: { type: "adaptive", display: "omitted" } }).success,
    ).toBe(true);
    expect(refusal({ ...minimal, thinking: { type: "enabled", budget_tokens: 512 } }).path).toBe(
      "thinking.budget_tokens",
    );
  });

  it("refuses temperatures above Anthropic's range of 0 to 1", () => {
    expect(refusal({ ...minimal, temperature: 1.5 }).path).toBe("temperature");
  });
});

describe("countTokensRequestSchema", () => {
  it("takes the prompt without max_tokens", () => {
    const { max_tokens: _, ...body } = minimal;
    const parsed = countTokensRequestSchema.parse({ ...body, thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(parsed.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  it("refuses server tools like the messages schema", () => {
    const body = {
      model: "m",
      messages: minimal.messages,
      tools: [{ type: "code_execution_20250825", name: "code_execution" }],
    };
    expect(refusal(body, countTokensRequestSchema).message).toBe("only custom tools are supported");
  });
});
