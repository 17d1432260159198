import { describe, expect, it } from "vitest";
import { responsesRequestSchema } from "./request-schema.ts";

/** The zod issues as the gateway reports them: `path: message`. */
function problems(body: Record<string, unknown>): string[] {
  const result = responsesRequestSchema.safeParse({ model: "m", input: "Hi", ...body });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("responsesRequestSchema", () => {
  it.each([
    "web_search",
    "file_search",
    "computer_use_preview",
    "mcp",
    "code_interpreter",
    "image_generation",
    "custom",
  ])("refuses a %s tool by its type", (type) => {
    expect(
      problems({
        tools: [
          { type: "function", name: "f" },
          { type, name: "x", server_label: "y" },
        ],
      }),
    ).toEqual(["tools.1.type: only function tools are supported"]);
  });

  it("refuses tool_choice other than none, auto, required or a function", () => {
    expect(problems({ tool_choice: { type: "allowed_tools", mode: "auto", tools: [] } })).toEqual([
      'tool_choice: tool_choice must be "none", "auto", "required" or {"type":"function","name":…}',
    ]);
    expect(problems({ tool_choice: { type: "web_search" } })).toHaveLength(1);
    expect(problems({ tool_choice: { type: "function", name: "f" } })).toEqual([]);
  });

  it("names an unknown nested field by its path", () => {
    expect(
      problems({
        input: [{ role: "user", content: [{ type: "input_text", text: "Hi", prompt_cache_breakpoint: {} }] }],
      }),
    ).toEqual(['input.0.content.0: Unrecognized key: "prompt_cache_breakpoint"']);
    expect(problems({ reasoning: { effort: "low", mode: "fast" } })).toEqual(['reasoning: Unrecognized key: "mode"']);
  });

  it("names an unknown top-level field: there is no Responses tier to carry it to", () => {
    expect(problems({ context_management: [{ type: "compaction" }] })).toEqual([
      ': Unrecognized key: "context_management"',
    ]);
  });

  it("names hosted-tool input items by their type", () => {
    expect(problems({ input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] })).toEqual([
      "input.0.type: input items are message, function_call, function_call_output or reasoning (hosted-tool items are not supported)",
    ]);
  });

  it("tells messages from item references when the type is left out", () => {
    const result = responsesRequestSchema.parse({
      model: "m",
      input: [{ role: "user", content: "Hi" }, { id: "msg_1" }],
    });
    expect(result.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] },
      { type: "item_reference", id: "msg_1" },
    ]);
  });

  it("names a wrong role and a wrong content part by their paths", () => {
    expect(problems({ input: [{ role: "tool", content: "x" }] })).toEqual([
      "input.0.role: role must be user, assistant, system or developer",
    ]);
    expect(problems({ input: [{ role: "assistant", content: [{ type: "input_text", text: "x" }] }] })).toEqual([
      "input.0.content.0.type: assistant content parts are output_text or refusal",
    ]);
    expect(
      problems({ input: [{ role: "system", content: [{ type: "input_image", image_url: "https://a/b.png" }] }] }),
    ).toEqual(["input.0.content.0.type: system and developer messages hold input_text parts only"]);
  });

  it("accepts an assistant message with a phase, as the openai SDK returns it", () => {
    expect(problems({ input: [{ role: "assistant", content: "Done.", phase: "final_answer" }] })).toEqual([]);
  });

  it('refuses the detail "original", which other tiers cannot honour', () => {
    expect(
      problems({
        input: [{ role: "user", content: [{ type: "input_image", image_url: "https://a/b.png", detail: "original" }] }],
      }),
    ).toEqual(['input.0.content.0.detail: detail must be "auto", "low" or "high"']);
  });

  it("needs exactly one source for an image and a file", () => {
    expect(problems({ input: [{ role: "user", content: [{ type: "input_image" }] }] })).toEqual([
      "input.0.content.0: an input_image needs exactly one of image_url and file_id",
    ]);
    expect(
      problems({
        input: [{ role: "user", content: [{ type: "input_file", file_id: "file-1", file_url: "https://a/b.pdf" }] }],
      }),
    ).toEqual(["input.0.content.0: an input_file needs exactly one of file_data, file_id and file_url"]);
  });

  it("accepts the openai SDK's nullable fields set to null", () => {
    expect(
      problems({
        instructions: null,
        tools: [{ type: "function", name: "f", description: null, parameters: null, strict: null }],
        reasoning: null,
        text: null,
        include: null,
        metadata: null,
        temperature: null,
      }),
    ).toEqual([]);
  });
});
