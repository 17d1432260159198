import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { provider, useSimulator } from "./clients.ts";

const t = useSimulator();

describe("OpenAI rejects tool messages that answer nothing", () => {
  it("a tool message whose id matches no tool call of the preceding assistant message", async () => {
    const request = t.openai.chat.completions.create({
      model: "m",
      messages: [
        { role: "user", content: "hi" },
        {
          role: "assistant",
          tool_calls: [{ id: "call_a", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_b", content: "x" },
      ],
    });
    await expect(request).rejects.toMatchObject({
      status: 400,
      type: "invalid_request_error",
      param: "messages.[2].role",
      message: expect.stringContaining(
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      ),
    });
    expect(t.sim.stats(provider).requests).toBe(0);
  });

  it("an assistant tool call left without a tool message", async () => {
    const request = t.openai.chat.completions.create({
      model: "m",
      messages: [
        { role: "user", content: "hi" },
        {
          role: "assistant",
          tool_calls: [{ id: "call_a", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "user", content: "well?" },
      ],
    });
    await expect(request).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("The following tool_call_ids did not have response messages: call_a"),
    });
  });
});

describe("Anthropic rejects malformed conversations", () => {
  const expectRejection = async (params: Partial<Anthropic.MessageCreateParamsNonStreaming>, message: string) => {
    const request = t.anthropic.messages.create({
      model: "m",
      max_tokens: 2048,
      messages: [{ role: "user", content: "hi" }],
      ...params,
    } as Anthropic.MessageCreateParamsNonStreaming);
    await expect(request).rejects.toMatchObject({
      status: 400,
      error: { type: "error", error: { type: "invalid_request_error", message } },
    });
  };
  const toolUse = {
    role: "assistant" as const,
    content: [{ type: "tool_use" as const, id: "toolu_a", name: "f", input: {} }],
  };

  it("roles that do not alternate, or a conversation that starts with the assistant", async () => {
    await expectRejection(
      {
        messages: [
          { role: "user", content: "a" },
          { role: "user", content: "b" },
        ],
      },
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    );
    await expectRejection(
      { messages: [{ role: "assistant", content: "a" }] },
      'messages: first message must use the "user" role',
    );
  });

  it("a tool_result whose tool_use_id is not in the previous assistant message", async () => {
    await expectRejection(
      {
        messages: [
          { role: "user", content: "hi" },
          toolUse,
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_b", content: "x" }] },
        ],
      },
      "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_b. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
    );
  });

  it("a tool_result that comes after other blocks", async () => {
    await expectRejection(
      {
        messages: [
          { role: "user", content: "hi" },
          toolUse,
          {
            role: "user",
            content: [
              { type: "text", text: "here" },
              { type: "tool_result", tool_use_id: "toolu_a", content: "x" },
            ],
          },
        ],
      },
      "messages.2: Did not find 1 `tool_result` block(s) at the beginning of this message. Messages following `tool_use` blocks must begin with a matching number of `tool_result` blocks.",
    );
  });

  it("a tool_use left without a tool_result", async () => {
    await expectRejection(
      { messages: [{ role: "user", content: "hi" }, toolUse, { role: "user", content: "and?" }] },
      "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_a. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
    );
  });

  it("a missing max_tokens, and thinking budgets below 1024 or not below max_tokens", async () => {
    const response = await fetch(`${t.sim.url}/${provider}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: "max_tokens: Field required" } });
    await expectRejection(
      { thinking: { type: "enabled", budget_tokens: 1000 } },
      "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
    );
    await expectRejection(
      { thinking: { type: "enabled", budget_tokens: 2048 } },
      "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size",
    );
  });
});

describe("Gemini rejects malformed contents", () => {
  it("a functionResponse without a name", async () => {
    const request = t.gemini.models.generateContent({
      model: "m",
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] },
        { role: "user", parts: [{ functionResponse: { response: { output: "x" } } }] },
      ],
    });
    await expect(request).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "GenerateContentRequest.contents[2].parts[0].function_response.name: Name cannot be empty.",
      ),
    });
  });

  it("a role other than user or model", async () => {
    const request = t.gemini.models.generateContent({
      model: "m",
      contents: [{ role: "assistant", parts: [{ text: "hi" }] }],
    });
    await expect(request).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("Please use a valid role: user, model."),
    });
  });
});
