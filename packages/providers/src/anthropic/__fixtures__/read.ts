import { readFileSync } from "node:fs";
import type Anthropic from "@anthropic-ai/sdk";

const path = (name: string) => new URL(name, import.meta.url);

/** A wire body fixture, parsed. */
export const readJson = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(path(name), "utf8")) as T;

/** Every event of a `*.chunks.txt` fixture (one SSE `data:` line each), pings and errors included. */
export function readWireEvents(name: string): Array<{ type: string } & Record<string, unknown>> {
  return readFileSync(path(name), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice("data: ".length)));
}

/** The events the SDK yields for a fixture: it drops pings (and throws on error events, which these fixtures end with, if any). */
export const readSdkEvents = (name: string): Anthropic.Messages.RawMessageStreamEvent[] =>
  readWireEvents(name).filter(
    (event) => event.type !== "ping" && event.type !== "error",
  ) as unknown as Anthropic.Messages.RawMessageStreamEvent[];

/** A fixture as the server-sent event stream Anthropic sends: each event named by its type (the SDK needs the name). */
export const sseBody = (name: string): string =>
  readWireEvents(name)
    .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    .join("");
