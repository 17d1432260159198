import { FunctionCallingConfigMode, type GenerateContentResponse, type Tool, Type } from "@google/genai";
import { describe, expect, it } from "vitest";
import { pixel, provider, timeSchema, useSimulator, weatherSchema } from "./clients.ts";

const t = useSimulator();

const tools: Tool[] = [
  {
    functionDeclarations: [
      { name: "get_weather", parametersJsonSchema: weatherSchema },
      { name: "get_time", parametersJsonSchema: timeSchema },
    ],
  },
];
const model = "gemini-sim";

async function collect(stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("Gemini generateContent: function calls", () => {
  it("calls the only allowed function under mode ANY, after a short text part, with an id", async () => {
    const response = await t.gemini.models.generateContent({
      model,
      contents: 'the time in "Berlin"',
      config: {
        tools,
        toolConfig: {
          functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ["get_time"] },
        },
      },
    });
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    expect(response.candidates?.[0]?.content?.parts?.[0]).toEqual({ text: "Calling get_time." });
    expect(response.functionCalls).toEqual([
      { id: expect.stringMatching(/^fc_/), name: "get_time", args: { zone: "UTC" } },
    ]);
  });

  it("calls mentioned functions, and answers text under AUTO when none is mentioned", async () => {
    const called = await t.gemini.models.generateContent({
      model,
      contents: 'get_weather in "Lagos"',
      config: { tools },
    });
    expect(called.functionCalls?.map((call) => [call.name, call.args])).toEqual([
      ["get_weather", { city: "Lagos", unit: "celsius" }],
    ]);
    const text = await t.gemini.models.generateContent({ model, contents: "hello", config: { tools } });
    expect(text.functionCalls).toBeUndefined();
    expect(text.text).toBe(`Simulated answer from ${provider}. You said: hello`);
  });

  it("answers from functionResponse parts once they are back", async () => {
    const response = await t.gemini.models.generateContent({
      model,
      contents: [
        { role: "user", parts: [{ text: "use get_weather" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: {} } }] },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { output: "22C" } } },
            { functionResponse: { name: "get_time", response: { hour: 12 } } },
          ],
        },
      ],
      config: { tools },
    });
    expect(response.text).toBe(`Simulated answer from ${provider}. Tool results: 22C; {"hour":12}`);
  });

  it("streams thoughts first, function calls whole in one chunk, and finish plus usage last", async () => {
    const chunks = await collect(
      await t.gemini.models.generateContentStream({
        model,
        contents: "get_weather and get_time",
        config: { tools, thinkingConfig: { includeThoughts: true } },
      }),
    );
    const parts = chunks.map((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
    expect(parts[0]?.[0]).toMatchObject({ thought: true });
    const withCalls = parts.filter((chunkParts) => chunkParts.some((part) => part.functionCall));
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]?.map((part) => part.functionCall?.name)).toEqual(["get_weather", "get_time"]);
    const last = chunks.at(-1);
    expect(last?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata?.thoughtsTokenCount).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.candidates?.[0]?.finishReason === undefined)).toBe(true);
  });
});

describe("Gemini generateContent: answers", () => {
  it("returns a minimal instance of responseJsonSchema, and of a responseSchema in Gemini's own types", async () => {
    const json = await t.gemini.models.generateContent({
      model,
      contents: 'weather in "Quito"',
      config: { responseMimeType: "application/json", responseJsonSchema: weatherSchema },
    });
    expect(JSON.parse(json.text ?? "")).toEqual({ city: "Quito", unit: "celsius" });
    const openapi = await t.gemini.models.generateContent({
      model,
      contents: "list",
      config: {
        responseMimeType: "application/json",
        responseSchema: {
          type: Type.OBJECT,
          properties: { items: { type: Type.ARRAY, items: { type: Type.INTEGER }, minItems: "2" } },
          required: ["items"],
        },
      },
    });
    expect(JSON.parse(openapi.text ?? "")).toEqual({ items: [1, 1] });
  });

  it("counts inline and file images and documents in the echo", async () => {
    const response = await t.gemini.models.generateContent({
      model,
      contents: [
        {
          role: "user",
          parts: [
            { inlineData: { mimeType: "image/png", data: pixel } },
            { fileData: { mimeType: "application/pdf", fileUri: "https://example.com/a.pdf" } },
            { text: "what are these" },
          ],
        },
      ],
    });
    expect(response.text).toBe(`Simulated answer from ${provider}. You said: what are these [1 image, 1 document]`);
  });

  it("returns a signed thought part when thoughts are included, and only counts them otherwise", async () => {
    const shown = await t.gemini.models.generateContent({
      model,
      contents: "why",
      config: { thinkingConfig: { includeThoughts: true } },
    });
    const [thought, answer] = shown.candidates?.[0]?.content?.parts ?? [];
    expect(thought).toEqual({ text: "Thinking about: why", thought: true, thoughtSignature: expect.any(String) });
    expect(Buffer.from(thought?.thoughtSignature ?? "", "base64").toString()).toMatch(/^sig_/);
    expect(shown.text).toBe(answer?.text);
    const usage = shown.usageMetadata;
    expect(usage?.thoughtsTokenCount).toBe(Math.ceil("Thinking about: why".length / 4));
    expect(usage?.totalTokenCount).toBe(
      (usage?.promptTokenCount ?? 0) + (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
    );

    const hidden = await t.gemini.models.generateContent({
      model,
      contents: "why",
      config: { thinkingConfig: { thinkingBudget: 512 } },
    });
    expect(hidden.candidates?.[0]?.content?.parts).toHaveLength(1);
    expect(hidden.usageMetadata?.thoughtsTokenCount).toBe(usage?.thoughtsTokenCount);
  });

  it("refuses with finishReason SAFETY and no content", async () => {
    const response = await t.gemini.models.generateContent({ model, contents: "REFUSE" });
    expect(response.candidates?.[0]?.finishReason).toBe("SAFETY");
    expect(response.candidates?.[0]?.content).toBeUndefined();
  });

  it("returns candidateCount candidates told apart by a suffix", async () => {
    const response = await t.gemini.models.generateContent({ model, contents: "hi", config: { candidateCount: 2 } });
    expect(response.candidates?.map((candidate) => candidate.content?.parts?.[0]?.text)).toEqual([
      `Simulated answer from ${provider}. You said: hi`,
      `Simulated answer from ${provider}. You said: hi (choice 1)`,
    ]);
  });

  it("returns logprobsResult with top candidates and avgLogprobs", async () => {
    const response = await t.gemini.models.generateContent({
      model,
      contents: "hi",
      config: { responseLogprobs: true, logprobs: 3 },
    });
    const candidate = response.candidates?.[0];
    const chosen = candidate?.logprobsResult?.chosenCandidates ?? [];
    expect(chosen.map((entry) => entry.token).join("")).toBe(response.text);
    expect(candidate?.logprobsResult?.topCandidates?.[0]?.candidates).toHaveLength(3);
    expect(candidate?.avgLogprobs).toBeLessThan(0);
  });

  it("reports cached tokens from the provider setting", async () => {
    t.sim.configure(provider, { cached_input_tokens: 2 });
    const response = await t.gemini.models.generateContent({ model, contents: "a prompt of a dozen or so words" });
    expect(response.usageMetadata?.cachedContentTokenCount).toBe(2);
  });

  it("streams text in pieces and records the streaming path", async () => {
    const chunks = await collect(await t.gemini.models.generateContentStream({ model, contents: "hello there you" }));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((chunk) => chunk.text ?? "").join("")).toBe(
      `Simulated answer from ${provider}. You said: hello there you`,
    );
    expect(t.sim.stats(provider).lastPath).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
  });
});
