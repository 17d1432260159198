import { createHash } from "node:crypto";
import type { Capabilities } from "@breakwater/core";
import type { ChatRequest } from "@breakwater/providers";

/** The marker the simulator (and a careful reader) recognises a judging request by. */
export const VERDICT_INSTRUCTION =
  'Reply with only a JSON object: {"score": <number from 0 to 1>, "reason": "<one sentence>"}.';

const rubric = [
  "You evaluate one answer written by an AI assistant for a user's request.",
  "Judge the answer only: is it relevant, coherent, correct and well-formed for the request?",
  "Gibberish, garbled or scrambled text, truncated, empty or off-topic answers score near 0.",
  "An answer may be tool calls, shown as [tool call] name({arguments}): judge whether calling that tool with those arguments is a sensible next step for the request, using the tools offered.",
  "When the request asks for JSON matching a schema, an answer that is not such JSON scores near 0.",
  "Attachments the request contained are shown as [image] or [document]; you cannot see them, so do not penalise an answer for referring to them.",
  "A correct, clear, complete answer scores near 1. Do not reward length or style for its own sake.",
  VERDICT_INSTRUCTION,
].join("\n");

/**
 * Which rubric a verdict was given under: a digest of its text, so it changes
 * whenever the rubric does and verdicts of different rubrics are never
 * compared as if alike.
 */
export const RUBRIC_VERSION = `r-${createHash("sha256").update(rubric).digest("hex").slice(0, 10)}`;

/** Names that would tell the judge whose answer it reads; the judge must not know. */
const modelNames =
  /\b(claude|anthropic|chatgpt|gpt-?[\w.]*|openai|gemini|bard|google|llama|meta ai|mistral|mixtral)\b/gi;

export const hideIdentity = (text: string): string => text.replace(modelNames, "[model]");

/**
 * The judging request: rubric as system prompt, the sample fenced in tags, at
 * temperature 0 where the judge's model takes one (current Claude models take
 * none: `sampling` is off for them).
 */
export function judgeRequest(prompt: string, answer: string, judge: { capabilities: Capabilities }): ChatRequest {
  const sample = `<request>\n${hideIdentity(prompt)}\n</request>\n<answer>\n${hideIdentity(answer)}\n</answer>`;
  return {
    system: [{ type: "text", text: rubric }],
    messages: [{ role: "user", content: [{ type: "text", text: sample }] }],
    ...(judge.capabilities.sampling && { temperature: 0 }),
    maxTokens: 200,
  };
}
