import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AssistantPart, ChatResponse, FinishReason } from "../canonical/model.ts";
import { aiSdkResponseSchema } from "./__fixtures__/ai-sdk-schemas.ts";
import { type ResponseEcho, responseEchoOf } from "./from-request.ts";
import { encryptedRedacted } from "./redacted-reasoning.ts";
import { responsesRequestSchema } from "./request-schema.ts";
import { toResponse } from "./to-response.ts";

const meta = { id: "resp_req1", created: 1767225600, model: "claude-sonnet-4-5" };
const echoOf = (body: Record<string, unknown> = {}): ResponseEcho =>
  responseEchoOf(responsesRequestSchema.parse({ model: "weather", input: "Hi", ...body }));
const answer = (content: AssistantPart[], finishReason: FinishReason = "stop", logprobs?: unknown): ChatResponse => ({
  choices: [{ content, finishReason, ...(logprobs !== undefined && { logprobs }) }],
  usage: { inputTokens: 50, outputTokens: 20 },
  model: "claude-sonnet-4-5",
});

/** The Response as the openai SDK types it and as the Vercel AI SDK parses it. */
function rendered(response: ChatResponse, echo: ResponseEcho) {
  const object = toResponse(response, meta, echo);
  expect(aiSdkResponseSchema.safeParse(object).success).toBe(true);
  return object;
}

describe("toResponse", () => {
  it("renders a text answer as the API's Response object, echoing the request", () => {
    const echo = echoOf({
      instructions: "You are a weather assistant.",
      temperature: 0.2,
      max_output_tokens: 256,
      metadata: { team: "weather" },
      user: "user-42",
    });
    const response: ChatResponse = {
      choices: [{ content: [{ type: "text", text: "Paris is 18°C and cloudy." }], finishReason: "stop" }],
      usage: { inputTokens: 120, outputTokens: 9, cachedInputTokens: 100 },
      model: "claude-sonnet-4-5",
    };
    const expected = JSON.parse(readFileSync(new URL("./__fixtures__/text.response.json", import.meta.url), "utf8"));
    expect(rendered(response, echo)).toEqual(expected);
  });

  it("renders tool calls as function_call items: call_id is the tool call id, the item id comes from the block", () => {
    const { output, status } = rendered(
      answer(
        [
          { type: "text", text: "Checking both." },
          { type: "tool_call", id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' },
          { type: "tool_call", id: "toolu_rome", name: "get_weather", arguments: '{"city":"Rome"}' },
        ],
        "tool_calls",
      ),
      echoOf(),
    );
    expect(status).toBe("completed");
    expect(output.slice(1)).toEqual([
      {
        id: "fc_req1_1",
        type: "function_call",
        call_id: "toolu_paris",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
        status: "completed",
      },
      {
        id: "fc_req1_2",
        type: "function_call",
        call_id: "toolu_rome",
        name: "get_weather",
        arguments: '{"city":"Rome"}',
        status: "completed",
      },
    ]);
  });

  it("renders reasoning as a summary, with its signature tagged by issuer as encrypted_content only when include asks", () => {
    const reasoning: AssistantPart[] = [
      { type: "reasoning", text: "Think about Paris.", signature: "sig-1", signedBy: "anthropic" },
      { type: "text", text: "18°C." },
    ];
    const asked = rendered(answer(reasoning), echoOf({ include: ["reasoning.encrypted_content"] }));
    expect(asked.output[0]).toEqual({
      id: "rs_req1_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Think about Paris." }],
      encrypted_content: "bw:anthropic:sig-1",
    });
    const notAsked = rendered(answer(reasoning), echoOf());
    expect(notAsked.output[0]).toEqual({
      id: "rs_req1_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Think about Paris." }],
    });
  });

  it("renders redacted reasoning as a reasoning item whose encrypted_content carries it back", () => {
    const { output } = rendered(
      answer([
        { type: "redacted_reasoning", data: "opaque" },
        { type: "text", text: "Hi." },
      ]),
      echoOf({ include: ["reasoning.encrypted_content"] }),
    );
    expect(output[0]).toEqual({
      id: "rs_req1_0",
      type: "reasoning",
      summary: [],
      encrypted_content: encryptedRedacted("opaque"),
    });
  });

  it("renders a refusal as a message with a refusal part", () => {
    const { output, output_text } = rendered(answer([{ type: "refusal", text: "I can't help with that." }]), echoOf());
    expect(output).toEqual([
      {
        id: "msg_req1_0",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "refusal", refusal: "I can't help with that." }],
      },
    ]);
    expect(output_text).toBe("");
  });

  it.each([
    ["length", "max_output_tokens"],
    ["content_filter", "content_filter"],
  ] as const)("renders a %s finish as incomplete (%s), its last item incomplete", (finishReason, reason) => {
    const object = rendered(
      answer(
        [
          { type: "reasoning", text: "Hmm." },
          { type: "text", text: "The answer is" },
        ],
        finishReason,
      ),
      echoOf(),
    );
    expect(object.status).toBe("incomplete");
    expect(object.incomplete_details).toEqual({ reason });
    expect(object.output[1]).toMatchObject({ type: "message", status: "incomplete" });
  });

  it("renders an unfinished tool call as an incomplete function_call item", () => {
    const { output } = rendered(
      answer([{ type: "tool_call", id: "t1", name: "f", arguments: '{"a":' }], "length"),
      echoOf(),
    );
    expect(output[0]).toMatchObject({ type: "function_call", status: "incomplete" });
  });

  it("converts the choice's logprobs to output_text logprobs when the request asked for them", () => {
    const choiceLogprobs = {
      content: [
        {
          token: "Hi",
          logprob: -0.1,
          bytes: [72, 105],
          top_logprobs: [{ token: "Hi", logprob: -0.1, bytes: [72, 105] }],
        },
        { token: "!", logprob: -0.5, bytes: null, top_logprobs: [] },
      ],
      refusal: null,
    };
    const content: AssistantPart[] = [{ type: "text", text: "Hi!" }];
    const asked = rendered(answer(content, "stop", choiceLogprobs), echoOf({ top_logprobs: 1 }));
    expect(asked.output[0]).toMatchObject({
      content: [
        {
          type: "output_text",
          logprobs: [
            {
              token: "Hi",
              logprob: -0.1,
              bytes: [72, 105],
              top_logprobs: [{ token: "Hi", logprob: -0.1, bytes: [72, 105] }],
            },
            { token: "!", logprob: -0.5, bytes: [], top_logprobs: [] },
          ],
        },
      ],
    });
    expect(asked.top_logprobs).toBe(1);
    const notAsked = rendered(answer(content, "stop", choiceLogprobs), echoOf());
    expect(notAsked.output[0]).toEqual(
      expect.objectContaining({ content: [{ type: "output_text", text: "Hi!", annotations: [] }] }),
    );
  });

  it("echoes the resolved tools and the function tool_choice", () => {
    const { tools, tool_choice } = rendered(
      answer([{ type: "text", text: "ok" }]),
      echoOf({ tools: [{ type: "function", name: "now" }], tool_choice: { type: "function", name: "now" } }),
    );
    expect(tools).toEqual([
      {
        type: "function",
        name: "now",
        description: null,
        parameters: { type: "object", properties: {}, additionalProperties: false },
        strict: true,
      },
    ]);
    expect(tool_choice).toEqual({ type: "function", name: "now" });
  });
});
