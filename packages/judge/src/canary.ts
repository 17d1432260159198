import { randomBytes, randomInt } from "node:crypto";

export interface CanaryCase {
  kind: "arithmetic" | "exact_string";
  prompt: string;
  expected: string;
  passes(answer: string): boolean;
}

/** Known-answer prompts, fresh each run so no cache can answer them. */
export function canaryCases(): CanaryCase[] {
  const a = randomInt(10, 100);
  const b = randomInt(10, 100);
  const sum = String(a + b);
  const token = `bw-${randomBytes(3).toString("hex")}`;
  return [
    {
      kind: "arithmetic",
      prompt: `What is ${a} + ${b}? Reply with the number only.`,
      expected: sum,
      passes: (answer) => new RegExp(`(^|\\D)${sum}(\\D|$)`).test(answer),
    },
    {
      kind: "exact_string",
      prompt: `Repeat exactly: ${token}`,
      expected: token,
      passes: (answer) => answer.includes(token),
    },
  ];
}
