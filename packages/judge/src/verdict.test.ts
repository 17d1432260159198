import { DEFAULT_CAPABILITIES } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import { hideIdentity, judgeRequest } from "./rubric.ts";
import { eligibleJudges } from "./select.ts";
import { parseVerdict } from "./verdict.ts";

describe("parseVerdict", () => {
  it.each([
    ['{"score": 0.8, "reason": "fine"}', 0.8],
    ['```json\n{"score": 0.25, "reason": "off topic"}\n```', 0.25],
    ['Sure! Here is my verdict: {"score": 1, "reason": "correct"} Hope that helps.', 1],
    ['{"score": "0.6", "reason": "numeric string"}', 0.6],
    ["score: 0.4 because it rambles", 0.4],
    ['{"score": 0, "reason": "gibberish"}', 0],
  ])("reads %j as %d", (text, score) => {
    expect(parseVerdict(text)).toMatchObject({ ok: true, score });
  });

  it.each([
    ["I think it's fine.", "no score"],
    ['{"score": 1.5}', "outside [0, 1]"],
    ['{"score": -0.1}', "outside [0, 1]"],
    ['{"score": "NaN"}', "not a number"],
    ['{"score": null}', "not a number"],
    ["", "no score"],
  ])("treats %j as a judge failure (%s), not a score", (text, problem) => {
    const verdict = parseVerdict(text);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.problem).toContain(problem);
  });
});

describe("eligibleJudges", () => {
  const judges = [
    { name: "a", vendor: "openai" },
    { name: "b", vendor: "google" },
    { name: "c", vendor: "anthropic" },
    { name: "d", vendor: "openai" },
  ];

  it("never offers a judge of the judged tier's vendor, over many requests", () => {
    for (let i = 0; i < 2_000; i++) {
      for (const vendor of ["openai", "google", "anthropic"]) {
        const picked = eligibleJudges(judges, vendor, `req_${i}`);
        expect(picked.length).toBeGreaterThan(0);
        expect(picked.every((judge) => judge.vendor !== vendor)).toBe(true);
      }
    }
  });

  it("spreads first choices across the eligible judges", () => {
    const first = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const name = eligibleJudges(judges, "anthropic", `req_${i}`)[0]?.name as string;
      first.set(name, (first.get(name) ?? 0) + 1);
    }
    expect([...first.keys()].sort()).toEqual(["a", "b", "d"]);
    for (const count of first.values()) expect(count).toBeGreaterThan(800);
  });

  it("offers nothing when only the same vendor judges", () => {
    expect(eligibleJudges([{ vendor: "openai" }], "openai", "req_1")).toEqual([]);
  });
});

describe("the judging request", () => {
  it("hides which model answered and asks for a JSON verdict at temperature 0", () => {
    expect(hideIdentity("As Claude, made by Anthropic, I think GPT-4o and Gemini agree")).toBe(
      "As [model], made by [model], I think [model] and [model] agree",
    );
    const request = judgeRequest("What is 2+2?", "I am ChatGPT. It is 4.", {
      capabilities: DEFAULT_CAPABILITIES.openai,
    });
    expect(request.temperature).toBe(0);
    expect(request.system[0]?.text).toContain('{"score"');
    expect(request.messages[0]?.content[0]).toMatchObject({ text: expect.stringContaining("I am [model]. It is 4.") });
  });

  it("sets no temperature for a judge whose model takes none (current Claude models)", () => {
    const request = judgeRequest("What is 2+2?", "4", { capabilities: DEFAULT_CAPABILITIES.anthropic });
    expect(request).not.toHaveProperty("temperature");
  });
});
