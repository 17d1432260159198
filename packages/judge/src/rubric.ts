import type { ChatRequest } from "@breakwater/providers";

/** The marker the simulator (and a careful reader) recognises a judging request by. */
export const VERDICT_INSTRUCTION =
  'Reply with only a JSON object: {"score": <number from 0 to 1>, "reason": "<one sentence>"}.';

const rubric = [
  "You evaluate one answer written by an AI assistant for a user's request.",
  "Judge the answer only: is it relevant, coherent, correct and well-formed for the request?",
  "Gibberish, garbled or scrambled text, truncated, empty or off-topic answers score near 0.",
  "A correct, clear, complete answer scores near 1. Do not reward length or style for its own sake.",
  VERDICT_INSTRUCTION,
].join("\n");

/** Names that would tell the judge whose answer it reads; the judge must not know. */
const modelNames =
  /\b(claude|anthropic|chatgpt|gpt-?[\w.]*|openai|gemini|bard|google|llama|meta ai|mistral|mixtral)\b/gi;

export const hideIdentity = (text: string): string => text.replace(modelNames, "[model]");

/** The judging request: rubric as system prompt, the sample fenced in tags, temperature 0. */
export function judgeRequest(prompt: string, answer: string): ChatRequest {
  return {
    system: rubric,
    messages: [
      {
        role: "user",
        content: `<request>\n${hideIdentity(prompt)}\n</request>\n<answer>\n${hideIdentity(answer)}\n</answer>`,
      },
    ],
    temperature: 0,
    maxTokens: 200,
  };
}
