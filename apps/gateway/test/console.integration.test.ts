import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, CLIENT_KEY, fastEngine, type Harness, startHarness, VIEWER_KEY } from "./harness.ts";

/**
 * The console (issue 10, §1) in headless Chromium: sign in, watch a tier open
 * live, open a decision's evidence, dispute a verdict, force a tier open.
 * BREAKWATER_SCREENSHOTS=1 writes the README's screenshots into docs/.
 */
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const screenshots = process.env.BREAKWATER_SCREENSHOTS === "1";
const docs = join(import.meta.dirname, "../../../docs");

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
breaker: { min_calls: 5, error_threshold: 0.5, consecutive_failures: 0, cooldown_s: 600 }
judge:
  sample_rate: 1
  judges: [{ provider: anthropic, model: claude-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge" }]
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;

describe("the console, in a browser", () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const ask = () =>
    h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "Name a lighthouse." }] });
  const shoot = async (name: string) => {
    if (!screenshots) return;
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, `console-${name}.png`), fullPage: true });
  };
  const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? "");

  beforeAll(async () => {
    if (!existsSync(chromium)) {
      throw new Error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROMIUM_PATH`);
    }
    h = await startHarness("embedded", yaml, { engine: { ...fastEngine, rollupIntervalMs: 200 } });
    for (let i = 0; i < 8; i++) await ask();
    browser = await puppeteer.launch({ executablePath: chromium, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on("pageerror", (error) => problems.push(`page error: ${error}`));
    page.on("console", (message) => {
      // Answers the tests ask for (the 401 before sign-in, the refused client key) are not problems.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on("dialog", (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("serves the page under a strict Content-Security-Policy, with no external resource", async () => {
    const response = await page.goto(`${h.gateway.url}/console`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.content()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("refuses a client key and signs in with an admin key, into an HttpOnly SameSite cookie", async () => {
    await page.type("input[name=key]", CLIENT_KEY);
    await page.click("button[type=submit]");
    await page.waitForSelector("[role=alert]");
    expect(await text("[role=alert]")).toMatch(/viewer and admin keys/);

    await page.$eval("input[name=key]", (input) => {
      (input as unknown as { value: string }).value = "";
    });
    await page.type("input[name=key]", ADMIN_KEY);
    await page.click("button[type=submit]");
    await page.waitForSelector("section[aria-label='Route chat']");
    const [cookie] = await browser.cookies();
    expect(cookie).toMatchObject({ name: "bw_console", httpOnly: true, sameSite: "Strict" });
    expect(cookie?.value).not.toContain(ADMIN_KEY);
    expect(await page.content()).not.toContain(ADMIN_KEY);
  });

  it("shows a tier opening live while its provider is broken, with no reload", async () => {
    const badge = () => page.$eval("section[aria-label='Route chat'] tbody tr .badge", (el) => el.textContent);
    expect(await badge()).toBe("closed");
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    for (let i = 0; i < 8; i++) await ask();
    // Expressions run in the page (strings: this file is type-checked without the DOM's types).
    await page.waitForFunction(
      `document.querySelector("section[aria-label='Route chat'] tbody tr .badge")?.textContent === "open"`,
      { timeout: 10_000 },
    );
    await page.waitForFunction(
      `[...document.querySelectorAll(".events li")].some((item) => item.textContent.includes("closed → open"))`,
    );
    h.simulator.reset();
    await new Promise((resolve) => setTimeout(resolve, 600)); // a few rollups, for the chart
    await page.click("button[aria-pressed=false]"); // 15m
    await page.waitForSelector(".uplot");
    await shoot("overview");
  });

  it("opens the decision's evidence on the tier page", async () => {
    await page.goto(`${h.gateway.url}/console#/tiers/primary`);
    await page.waitForSelector("table[aria-label=Decisions] details");
    await page.click("table[aria-label=Decisions] details summary");
    const evidence = await text("table[aria-label=Decisions] details pre");
    expect(JSON.parse(evidence)).toMatchObject({ error: expect.objectContaining({ calls: expect.any(Number) }) });
    await page.waitForSelector(".uplot");
    await shoot("tier");
  });

  it("forces a tier open with a reason, confirmed, and shows the audit row", async () => {
    await page.goto(`${h.gateway.url}/console#/tiers/secondary`);
    await page.waitForSelector("form[aria-label='Operator override']");
    await page.select("select[name=state]", "forced_open");
    await page.type("input[name=reason]", "provider incident, per status page");
    await page.click("form[aria-label='Operator override'] button[type=submit]");
    await page.waitForFunction(
      `[...document.querySelectorAll("table[aria-label=Decisions] tbody tr")].some((row) =>
        row.textContent.includes("provider incident, per status page"))`,
    );
    const row = await text("table[aria-label=Decisions] tbody tr");
    expect(row).toContain("forced_open");
    expect(row).toContain("operator:env:TEST_ADMIN_KEY");
    expect(await text("h1 .badge")).toBe("forced open");
  });

  it("disputes a verdict, and the judge's agreement rate changes", async () => {
    await page.goto(`${h.gateway.url}/console#/judgements`);
    await page.waitForSelector("table[aria-label=Verdicts] tbody a");
    await shoot("judgements");
    await page.click("table[aria-label=Verdicts] tbody a");
    await page.waitForSelector("form[aria-label='Review this verdict']");
    expect(await text("main")).toContain("rubric");
    await page.type("textarea[name=note]", "the answer was fine");
    await page.click("form[aria-label='Review this verdict'] button[value=dispute]");
    await page.waitForFunction(`document.querySelector("main").textContent.includes("dispute by")`);
    await shoot("verdict");
    await page.goto(`${h.gateway.url}/console#/judgements`);
    await page.waitForSelector(".agreement-rate");
    expect(await text(".agreement-rate")).toBe("0.0%");
  });

  it("fits a phone's screen, and the keyboard reaches every control", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await page.goto(`${h.gateway.url}/console#/`);
    await page.waitForSelector("section[aria-label='Route chat']");
    const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot("phone");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Breakwater");
  });

  it("logged no script error and no Content-Security-Policy violation", () => {
    expect(problems).toEqual([]);
  });
});

describe("console sessions, without a browser", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });
  const signIn = async (key: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${h.gateway.url}/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ key }),
    });
    const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? "";
    return { status: response.status, cookie, json: (await response.json()) as any };
  };
  const override = (cookie: string, csrf?: string) =>
    fetch(`${h.gateway.url}/v1/tiers/secondary/state`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", ...(csrf && { "x-csrf-token": csrf }) },
      body: JSON.stringify({ state: "auto", reason: "csrf check" }),
    });

  it("needs the session's CSRF token for every change, and refuses a forged one", async () => {
    const admin = await signIn(ADMIN_KEY);
    expect(admin.status).toBe(200);
    const without = await override(admin.cookie);
    expect(without.status).toBe(403);
    expect(((await without.json()) as any).error.code).toBe("csrf_failed");
    expect((await override(admin.cookie, `${admin.json.csrf}x`)).status).toBe(403);
    expect((await override(admin.cookie, admin.json.csrf)).status).toBe(200);
  });

  it("refuses a sign-in posted from another site's page", async () => {
    const foreign = await signIn(ADMIN_KEY, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.cookie).toBe("");
  });

  it("gives a viewer read access only, and never the proxy", async () => {
    const viewer = await signIn(VIEWER_KEY);
    const read = await fetch(`${h.gateway.url}/v1/decisions`, { headers: { cookie: viewer.cookie } });
    expect(read.status).toBe(200);
    expect((await override(viewer.cookie, viewer.json.csrf)).status).toBe(403);
    const proxied = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { cookie: viewer.cookie, "content-type": "application/json" },
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(proxied.status).toBe(401);
  });

  it("refuses a tampered or foreign session cookie", async () => {
    const viewer = await signIn(VIEWER_KEY);
    const [id, expires, signature] = viewer.cookie.split("=")[1]?.split(".") ?? [];
    const longer = `bw_console=${id}.${Number(expires) + 86_400_000}.${signature}`;
    expect((await fetch(`${h.gateway.url}/v1/decisions`, { headers: { cookie: longer } })).status).toBe(401);
    expect((await fetch(`${h.gateway.url}/console/session`, { headers: { cookie: "bw_console=x.y.z" } })).status).toBe(
      401,
    );
  });
});
