import type { Part } from "@google/genai";
import { describe, expect, it } from "vitest";
import type { ContentEvent } from "../canonical/model.ts";
import { CandidateParts } from "./candidate-parts.ts";

const eventsOf = (parts: Part[]): ContentEvent[] => {
  const candidate = new CandidateParts();
  return parts.flatMap((part) => candidate.push(part));
};

describe("CandidateParts", () => {
  it("extends one text block over consecutive text parts and skips empty ones", () => {
    expect(eventsOf([{ text: "a" }, { text: "" }, { text: "b" }])).toEqual([
      { type: "text", block: 0, text: "a" },
      { type: "text", block: 0, text: "b" },
    ]);
  });

  it("signs the unsigned thought right before a signed text part, before the text", () => {
    expect(
      eventsOf([
        { text: "think", thought: true },
        { text: "answer", thoughtSignature: "c2ln" },
      ]),
    ).toEqual([
      { type: "reasoning", block: 0, text: "think" },
      { type: "reasoning_signature", block: 0, signature: "c2ln", signedBy: "gemini" },
      { type: "text", block: 1, text: "answer" },
    ]);
  });

  it("leaves out a signature that follows the answer's text, inventing no reasoning part for it", () => {
    expect(
      eventsOf([
        { text: "answer" },
        { text: " more", thoughtSignature: "c2ln" },
        { text: "", thoughtSignature: "c2ln" },
      ]),
    ).toEqual([
      { type: "text", block: 0, text: "answer" },
      { type: "text", block: 0, text: " more" },
    ]);
  });

  it("starts a new reasoning block after a signed thought", () => {
    expect(
      eventsOf([
        { text: "one", thought: true, thoughtSignature: "c2lnMQ==" },
        { text: "two", thought: true },
      ]),
    ).toEqual([
      { type: "reasoning", block: 0, text: "one" },
      { type: "reasoning_signature", block: 0, signature: "c2lnMQ==", signedBy: "gemini" },
      { type: "reasoning", block: 1, text: "two" },
    ]);
  });

  it("lets a signature-only thought part sign the open thought, and invents none for it after text", () => {
    expect(
      eventsOf([
        { text: "think", thought: true },
        { text: "", thought: true, thoughtSignature: "c2lnMQ==" },
        { text: "answer" },
        { thought: true, thoughtSignature: "c2lnMg==" },
      ]),
    ).toEqual([
      { type: "reasoning", block: 0, text: "think" },
      { type: "reasoning_signature", block: 0, signature: "c2lnMQ==", signedBy: "gemini" },
      { type: "text", block: 1, text: "answer" },
    ]);
  });

  it("gives every function call a block of its own, with its arguments whole", () => {
    const candidate = new CandidateParts();
    const events = [
      { functionCall: { id: "a", name: "f", args: { x: 1 } } },
      { functionCall: { id: "b", name: "f" } },
    ].flatMap((part) => candidate.push(part));
    expect(events).toEqual([
      { type: "tool_call", block: 0, id: "a", name: "f" },
      { type: "tool_call_delta", block: 0, arguments: '{"x":1}' },
      { type: "tool_call", block: 1, id: "b", name: "f" },
      { type: "tool_call_delta", block: 1, arguments: "{}" },
    ]);
    expect(candidate.calledTools).toBe(true);
  });

  it("leaves out part kinds we never ask for, and their signatures", () => {
    const image = { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" }, thoughtSignature: "c2ln" };
    expect(eventsOf([{ executableCode: { code: "print(1)" } }, image])).toEqual([]);
  });
});
