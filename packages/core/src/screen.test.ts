import { describe, expect, it } from "vitest";
import { AnswerScreen } from "./screen.ts";

const screen = (answer: string, prompt = "Please answer.", chunk = 7) => {
  const s = new AnswerScreen();
  // as a stream delivers it: in pieces
  for (let i = 0; i < answer.length; i += chunk) s.push(answer.slice(i, i + chunk));
  return s.verdict(() => prompt);
};

const good: Array<[label: string, answer: string, prompt?: string]> = [
  [
    "English prose",
    "The lighthouse keeper climbed the stairs at dusk, trimmed the wick, and watched the ships pass safely.",
  ],
  [
    "French",
    "Le gardien du phare montait l'escalier au crépuscule, taillait la mèche et regardait passer les navires.",
  ],
  [
    "German",
    "Der Leuchtturmwärter stieg in der Dämmerung die Treppe hinauf und sah den Schiffen nach, die sicher vorbeizogen.",
  ],
  ["Russian", "Смотритель маяка поднимался по лестнице в сумерках и смотрел, как корабли благополучно проходят мимо."],
  ["Japanese", "灯台守は夕暮れに階段を上り、芯を整えて、船が無事に通り過ぎるのを見守った。"],
  ["Chinese", "灯塔看守人在黄昏时分爬上楼梯，修剪灯芯，看着船只安全驶过。"],
  ["Arabic", "صعد حارس المنارة الدرج عند الغسق وقص الفتيل وراقب السفن وهي تمر بأمان."],
  ["Hindi", "प्रकाशस्तंभ का रक्षक शाम को सीढ़ियाँ चढ़ा और जहाजों को सुरक्षित गुजरते देखा।"],
  ["Korean", "등대지기는 해질녘에 계단을 올라 심지를 다듬고 배들이 무사히 지나가는 것을 지켜보았다."],
  [
    "a translation into a script the prompt lacks",
    "灯台守は夕暮れに階段を上った。",
    "Translate into Japanese: the keeper climbed the stairs.",
  ],
  [
    "code",
    "function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(2, 3)); // prints 5\nconst xs = [1, 2, 3].map((x) => x * 2);",
  ],
  ["minified JSON", '{"a":[1,2,3],"b":{"c":"d","e":[{"f":1},{"g":2}]},"h":null,"i":true}'],
  ["a markdown table", "| city | population |\n|------|------------|\n| Paris | 2,100,000 |\n| Berlin | 3,600,000 |"],
  [
    "a numbered list",
    "1. Prepare the lamp.\n2. Trim the wick.\n3. Light it.\n4. Wind the clockwork.\n5. Log the weather.",
  ],
  ["a word repeated a few times", "It was very, very, very, very cold that night on the rocks by the sea."],
  ["a short answer", "42"],
  [
    "an answer mixing three scripts the prompt has",
    "English, Русский, 日本語 and Ελληνικά side by side.",
    "English, Русский, 日本語 and Ελληνικά",
  ],
];

const garbled: Array<[label: string, answer: string, expected: RegExp]> = [
  ["the simulator's brownout", "#@%& ẍǫ§¤ *~^#@ %&ẍǫ §¤*~ ^#@%&ẍ ǫ§¤*~^ #@%&ẍǫ§ ¤*~^#@%", /symbols/],
  ["replacement characters", "The keeper climbed the st\uFFFD\uFFFDs at dusk.", /replacement/],
  ["a control character", "The keeper climbed\u0007 the stairs at dusk.", /control/],
  ["script soup", "Tлhe кeeпер 灯台 μεγ ਕੀਪਰ climбed ลาย the sтairs ჰელო 階段 بالا", /writing systems/],
  ["a repetition loop", `The keeper said: ${"the sea is calm, ".repeat(12)}`, /loop/],
  ["a one-word loop", `And then ${"again ".repeat(30)}`, /loop/],
];

describe("AnswerScreen", () => {
  it.each(good)("passes %s", (_label, answer, prompt) => {
    expect(screen(answer, prompt)).toBeUndefined();
  });

  it.each(garbled)("flags %s", (_label, answer, expected) => {
    expect(screen(answer)).toMatch(expected);
  });

  it("lets an answer quote the replacement or control characters its prompt holds", () => {
    expect(screen("The text reads 'caf\uFFFD au lait'.", "Fix the encoding: caf\uFFFD au lait")).toBeUndefined();
    expect(
      screen("The bell character \u0007 is removed from 'a\u0007b'.", "Remove \u0007 from a\u0007b"),
    ).toBeUndefined();
  });

  it("reads the prompt only when a rule needs it", () => {
    let reads = 0;
    const s = new AnswerScreen();
    s.push("A perfectly ordinary answer about lighthouses and ships at sea.");
    expect(
      s.verdict(() => {
        reads++;
        return "";
      }),
    ).toBeUndefined();
    expect(reads).toBe(0);
  });
});
