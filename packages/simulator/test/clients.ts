import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type Simulator, startSimulator } from "../src/index.ts";

/** The fake provider every test talks to. */
export const provider = "p";

/** One simulator per test file, reset between tests, and the official SDKs pointed at it. */
export function useSimulator() {
  const context = {} as {
    sim: Simulator;
    openai: OpenAI;
    anthropic: Anthropic;
    gemini: GoogleGenAI;
  };
  beforeAll(async () => {
    context.sim = await startSimulator();
    context.openai = new OpenAI({ baseURL: `${context.sim.url}/${provider}/v1`, apiKey: "k", maxRetries: 0 });
    context.anthropic = new Anthropic({ baseURL: `${context.sim.url}/${provider}`, apiKey: "k", maxRetries: 0 });
    context.gemini = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: `${context.sim.url}/${provider}` } });
  });
  beforeEach(() => context.sim.reset());
  afterAll(() => context.sim.close());
  return context;
}

/** A JSON-schema tool the tests offer, in each protocol's spelling. */
export const weatherSchema = {
  type: "object",
  properties: {
    city: { type: "string" },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    days: { type: "integer", minimum: 1, maximum: 7 },
  },
  required: ["city", "unit"],
};

export const timeSchema = {
  type: "object",
  properties: { zone: { type: "string", enum: ["UTC", "CET"] } },
  required: ["zone"],
};

/** A 1×1 PNG, so image parts carry real data. */
export const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/** Reads an SSE stream's `data:` payloads as JSON (without `[DONE]`). */
export async function sseEvents(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice("data: ".length)));
}
