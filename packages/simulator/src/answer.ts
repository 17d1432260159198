import type { SimRequest } from "./protocols/types.ts";

/** Rough token estimate (4 characters per token), good enough for usage and context checks. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** The prompt's tokens: its text plus the tool schemas, which real providers also bill as input. */
export const inputTokensOf = (request: SimRequest): number =>
  estimateTokens(request.prompt) + (request.tools.length > 0 ? estimateTokens(JSON.stringify(request.tools)) : 0);

const arithmetic = /what is\s+(-?\d+)\s*([+\-*x×])\s*(-?\d+)/i;
const repeatExactly = /repeat exactly:\s*(.+)$/is;

/**
 * A healthy model's answer: known-answer prompts (arithmetic, "repeat exactly")
 * are answered correctly so canaries can tell healthy from garbled; anything else
 * is a short, deterministic echo.
 */
export function healthyAnswer(request: SimRequest, provider: string): string {
  if (isJudgeRequest(request)) return verdictFor(request.lastUserText);
  const sum = arithmetic.exec(request.lastUserText);
  if (sum) {
    const [, a, op, b] = sum;
    const x = Number(a);
    const y = Number(b);
    const value = op === "+" ? x + y : op === "-" ? x - y : x * y;
    return String(value);
  }
  const repeat = repeatExactly.exec(request.lastUserText);
  if (repeat?.[1]) return repeat[1].trim();
  return `Simulated answer from ${provider}. You said: ${request.lastUserText.slice(0, 160)}${mediaNote(request)}`;
}

/** " [1 image]", " [2 images, 1 document]": proof that attachments reached the provider. */
function mediaNote({ images, documents }: SimRequest): string {
  const counts = [
    images > 0 ? `${images} image${images === 1 ? "" : "s"}` : "",
    documents > 0 ? `${documents} document${documents === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return counts.length > 0 ? ` [${counts.join(", ")}]` : "";
}

/** The answer once tool results are back: it quotes them, so a test can see they arrived intact. */
export const toolResultsAnswer = (results: string[], provider: string): string =>
  `Simulated answer from ${provider}. Tool results: ${results.join("; ")}`.slice(0, 300);

/** A request asking for a JSON verdict on an answer: the simulator plays the judge. */
export const isJudgeRequest = (request: SimRequest) => request.system.includes('{"score"');

/** A judge that can tell garbled text from an answer: 0.1 for noise, 0.9 otherwise. */
function verdictFor(judgedText: string): string {
  const answer = /<answer>\n?([\s\S]*?)\n?<\/answer>/.exec(judgedText)?.[1] ?? judgedText;
  const visible = answer.replace(/\s/g, "");
  const noisy = [...visible].filter((char) => noise.includes(char)).length;
  return noisy > visible.length * 0.3
    ? '{"score": 0.1, "reason": "The answer is garbled and does not address the request."}'
    : '{"score": 0.9, "reason": "The answer addresses the request coherently."}';
}

const noise = "#@%&*~^ẍǫ§¤";

/** The quality brownout: fluent-looking length, no meaning. Deterministic for a given input. */
export function garble(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code === 32 ? " " : (noise[(code * 7 + i) % noise.length] as string);
  }
  return out.split(" ").reverse().join(" ");
}

/** Splits an answer into stream pieces of a few words each, keeping the spaces. */
export function streamPieces(text: string, wordsPerPiece = 3): string[] {
  const words = text.split(/(?<= )/);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) pieces.push(words.slice(i, i + wordsPerPiece).join(""));
  return pieces.length > 0 ? pieces : [""];
}

/** mulberry32: a tiny seeded PRNG so flaky faults repeat run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
