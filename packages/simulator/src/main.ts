import { startSimulator } from "./server.ts";

/** Standalone simulator for demos and drills: `pnpm simulator` (PORT, default 8788). */
const port = Number(process.env.PORT ?? 8788);
const simulator = await startSimulator({ port, host: process.env.HOST ?? "127.0.0.1" });
console.log(`simulator listening on ${simulator.url}`);
console.log(`  OpenAI:    ${simulator.url}/<name>/v1/chat/completions`);
console.log(`  Anthropic: ${simulator.url}/<name>/v1/messages (and /v1/messages/count_tokens)`);
console.log(`  Gemini:    ${simulator.url}/<name>/v1beta/models/<model>:generateContent`);
console.log(`  faults:    PUT ${simulator.url}/_control/providers/<name>  {"fault":{"mode":"error","status":503}}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void simulator.close().then(() => process.exit(0)));
}
