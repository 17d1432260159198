import { readFileSync } from "node:fs";
import { GenerateContentResponse } from "@google/genai";

/** A fixture file's text. */
export const fixtureText = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");

/** A JSON fixture, parsed. */
export const jsonFixture = (name: string): unknown => JSON.parse(fixtureText(name));

/** A generateContent answer fixture, as the SDK hands it over. */
export const responseFixture = (name: string) => Object.assign(new GenerateContentResponse(), jsonFixture(name));

/** A `*.chunks.txt` fixture: one streamGenerateContent?alt=sse `data:` line per chunk, as the SDK hands them over. */
export const chunkFixture = (name: string) =>
  fixtureText(name)
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => Object.assign(new GenerateContentResponse(), JSON.parse(line.slice("data:".length))));
