import { parseConfig } from "@breakwater/config";
import { createLogger } from "@breakwater/telemetry";
import puppeteer from "puppeteer-core";
import { startGateway } from "../../apps/gateway/src/server.ts";

const yaml = `
simulator: auto
auth: { client_keys: [env:CK], viewer_keys: [env:VK], admin_keys: [env:AK] }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:NOPE1 }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:NOPE2 }
routes:
  chat: { tiers: [primary, secondary] }
`;
const { config } = parseConfig(yaml, { CK: "ck-1", VK: "vk-1", AK: "ak-1" }, "try");
const gateway = await startGateway({
  config,
  port: 0,
  host: "127.0.0.1",
  logger: createLogger("warn"),
  redisKeyPrefix: "x",
  dataDir: "memory://",
  engine: { rollupIntervalMs: 500 },
});
for (let i = 0; i < 10; i++)
  await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer ck-1", "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
  });
await new Promise((r) => setTimeout(r, 2000));
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.setViewport({ width: 1280, height: 900 });
await page.goto(`${gateway.url}/console`);
await page.waitForSelector("input[name=key]");
await page.type("input[name=key]", "ak-1");
await page.click("button[type=submit]");
await page.waitForSelector("table");
await new Promise((r) => setTimeout(r, 1500));
await page.screenshot({ path: "bench/.tmp/overview.png", fullPage: true });
await browser.close();
await gateway.close();
