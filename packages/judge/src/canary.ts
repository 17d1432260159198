import { randomBytes, randomInt } from "node:crypto";
import type { Capabilities, Feature } from "@breakwater/core";
import { answerText, type ChatRequest, type ChatResponse } from "@breakwater/providers";

export interface CanaryCase {
  kind: "arithmetic" | "exact_string" | "tool_call" | "json_schema";
  /** A tier that cannot do this is not asked (its capabilities would make real traffic skip it too). */
  needs?: Feature;
  request: ChatRequest;
  /** For the record: what was asked and what a healthy tier answers. */
  prompt: string;
  expected: string;
  passes(response: ChatResponse): boolean;
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Known-answer prompts, fresh each run so no cache can answer them; at
 * temperature 0 where the tier's model takes one.
 */
export function canaryCases(tier: Capabilities): CanaryCase[] {
  const ask = (prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: prompt }] }],
    ...(tier.sampling && { temperature: 0 }),
    maxTokens: 100,
    ...extra,
  });
  const a = randomInt(10, 100);
  const b = randomInt(10, 100);
  const sum = String(a + b);
  const token = `bw-${randomBytes(3).toString("hex")}`;
  const order = `ord-${randomBytes(3).toString("hex")}`;
  const code = `bw-${randomBytes(3).toString("hex")}`;
  const sumPrompt = `What is ${a} + ${b}? Reply with the number only.`;
  const repeatPrompt = `Repeat exactly: ${token}`;
  const toolPrompt = `What is the status of order "${order}"? Use the get_order_status tool.`;
  const jsonPrompt = `Reply with JSON whose field code is set to "${code}".`;
  return [
    {
      kind: "arithmetic",
      request: ask(sumPrompt),
      prompt: sumPrompt,
      expected: sum,
      passes: (response) => new RegExp(`(^|\\D)${sum}(\\D|$)`).test(answerText(response)),
    },
    {
      kind: "exact_string",
      request: ask(repeatPrompt),
      prompt: repeatPrompt,
      expected: token,
      passes: (response) => answerText(response).includes(token),
    },
    {
      kind: "tool_call",
      needs: "tools",
      request: ask(toolPrompt, {
        tools: [
          {
            name: "get_order_status",
            description: "Look up the status of an order by its id.",
            parameters: {
              type: "object",
              properties: { order_id: { type: "string", description: "The order id, e.g. ord-12ab34" } },
              required: ["order_id"],
              additionalProperties: false,
            },
          },
        ],
        toolChoice: { type: "auto" },
      }),
      prompt: toolPrompt,
      expected: `get_order_status({"order_id":"${order}"})`,
      passes: (response) =>
        (response.choices[0]?.content ?? []).some(
          (part) =>
            part.type === "tool_call" &&
            part.name === "get_order_status" &&
            (parsed(part.arguments) as { order_id?: unknown } | undefined)?.order_id === order,
        ),
    },
    {
      kind: "json_schema",
      needs: "json_schema",
      request: ask(jsonPrompt, {
        responseFormat: {
          type: "json_schema",
          name: "canary",
          strict: true,
          schema: {
            type: "object",
            properties: { code: { type: "string" } },
            required: ["code"],
            additionalProperties: false,
          },
        },
      }),
      prompt: jsonPrompt,
      expected: JSON.stringify({ code }),
      passes: (response) => (parsed(answerText(response)) as { code?: unknown } | undefined)?.code === code,
    },
  ];
}

/** What a canary answer is stored as: its text, or its tool calls. */
export function canaryAnswer(response: ChatResponse): string {
  const calls = (response.choices[0]?.content ?? []).flatMap((part) =>
    part.type === "tool_call" ? [`${part.name}(${part.arguments})`] : [],
  );
  return calls.length > 0 ? calls.join("; ") : answerText(response);
}
