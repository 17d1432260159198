import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, CLIENT_KEY, getJson, type Harness, REPORTER_KEY, startHarness, VIEWER_KEY } from "./harness.ts";

const yaml = `
auth:
  client_keys: [env:TEST_CLIENT_KEY]
  reporter_keys: [env:TEST_REPORTER_KEY]
  viewer_keys: [env:TEST_VIEWER_KEY]
  admin_keys: [env:TEST_ADMIN_KEY]
tiers:
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1" }
routes:
  chat: { tiers: [claude, gpt] }
`;

const chat = { model: "chat", messages: [{ role: "user", content: "hi" }] };

/** Every endpoint, with a request it would serve, and the kinds of key that may call it. */
const endpoints: Array<{ name: string; method: "GET" | "POST"; path: string; body?: unknown; allowed: string[] }> = [
  { name: "chat completions", method: "POST", path: "/v1/chat/completions", body: chat, allowed: ["client", "admin"] },
  {
    name: "messages",
    method: "POST",
    path: "/v1/messages",
    body: { ...chat, max_tokens: 10 },
    allowed: ["client", "admin"],
  },
  { name: "count tokens", method: "POST", path: "/v1/messages/count_tokens", body: chat, allowed: ["client", "admin"] },
  {
    name: "responses",
    method: "POST",
    path: "/v1/responses",
    body: { model: "chat", input: "hi" },
    allowed: ["client", "admin"],
  },
  { name: "models", method: "GET", path: "/v1/models", allowed: ["client", "admin"] },
  { name: "plan", method: "GET", path: "/v1/routes/chat/plan", allowed: ["client", "reporter", "admin"] },
  { name: "tiers", method: "GET", path: "/v1/tiers", allowed: ["client", "viewer", "admin"] },
  { name: "one tier", method: "GET", path: "/v1/tiers/gpt", allowed: ["client", "viewer", "admin"] },
  {
    name: "outcomes",
    method: "POST",
    path: "/v1/outcomes",
    body: { outcomes: [{ tier: "gpt", ok: true }] },
    allowed: ["reporter", "admin"],
  },
  { name: "decisions", method: "GET", path: "/v1/decisions", allowed: ["viewer", "admin"] },
  { name: "judgements", method: "GET", path: "/v1/judgements", allowed: ["viewer", "admin"] },
  { name: "tier series", method: "GET", path: "/v1/tiers/gpt/series", allowed: ["viewer", "admin"] },
  { name: "canaries", method: "GET", path: "/v1/tiers/gpt/canaries", allowed: ["viewer", "admin"] },
  { name: "webhook deliveries", method: "GET", path: "/v1/webhooks/deliveries", allowed: ["viewer", "admin"] },
  { name: "judge agreement", method: "GET", path: "/v1/judges/agreement", allowed: ["viewer", "admin"] },
  { name: "routes", method: "GET", path: "/v1/routes", allowed: ["client", "viewer", "admin"] },
  {
    name: "override",
    method: "POST",
    path: "/v1/tiers/gpt/state",
    body: { state: "auto", reason: "scope matrix" },
    allowed: ["admin"],
  },
  { name: "status", method: "GET", path: "/v1/status", allowed: ["none", "client", "reporter", "viewer", "admin"] },
  { name: "metrics", method: "GET", path: "/metrics", allowed: ["none", "client", "reporter", "viewer", "admin"] },
  { name: "healthz", method: "GET", path: "/healthz", allowed: ["none", "client", "reporter", "viewer", "admin"] },
  { name: "readyz", method: "GET", path: "/readyz", allowed: ["none", "client", "reporter", "viewer", "admin"] },
];

const keys: Record<string, string | undefined> = {
  none: undefined,
  unknown: "bw-not-one-of-ours",
  client: CLIENT_KEY,
  reporter: REPORTER_KEY,
  viewer: VIEWER_KEY,
  admin: ADMIN_KEY,
};

describe("key scopes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (endpoint: (typeof endpoints)[number], key: string | undefined, headers = {}) => {
    const response = await fetch(`${h.gateway.url}${endpoint.path}`, {
      method: endpoint.method,
      headers: {
        ...(key !== undefined && { authorization: `Bearer ${key}` }),
        ...(endpoint.body !== undefined && { "content-type": "application/json" }),
        ...headers,
      },
      ...(endpoint.body !== undefined && { body: JSON.stringify(endpoint.body) }),
    });
    await response.arrayBuffer();
    return response.status;
  };

  it("lets each kind of key call exactly its endpoints: allowed, 403 for another kind, 401 for none or an unknown key", async () => {
    const got: Record<string, Record<string, number | string>> = {};
    const expected: typeof got = {};
    for (const endpoint of endpoints) {
      got[endpoint.name] = {};
      expected[endpoint.name] = {};
      for (const [kind, key] of Object.entries(keys)) {
        const status = await call(endpoint, key);
        const public_ = endpoint.allowed.includes("none");
        (got[endpoint.name] as Record<string, number | string>)[kind] = status >= 200 && status < 300 ? "2xx" : status;
        (expected[endpoint.name] as Record<string, number | string>)[kind] =
          public_ || endpoint.allowed.includes(kind) ? "2xx" : kind === "none" || kind === "unknown" ? 401 : 403;
      }
    }
    expect(got).toEqual(expected);
  });

  it("says which keys an endpoint needs, in the endpoint's error shape", async () => {
    const decisions = await getJson(h.gateway, "/v1/decisions", CLIENT_KEY);
    expect(decisions.json.error).toMatchObject({
      code: "forbidden",
      message: "this endpoint needs a key listed under auth.viewer_keys or auth.admin_keys",
    });
    const missing = await getJson(h.gateway, "/v1/decisions", "");
    expect(missing.json.error.message).toBe("missing API key: send `Authorization: Bearer <viewer key>`");

    const messages = await fetch(`${h.gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": VIEWER_KEY, "content-type": "application/json" },
      body: JSON.stringify({ ...chat, max_tokens: 10 }),
    });
    expect(messages.status).toBe(403);
    expect(await messages.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
  });

  it("shows a client key the tier's state but not the judges' last verdicts, which quote prompts", async () => {
    const asClient = await getJson(h.gateway, "/v1/tiers/gpt", CLIENT_KEY);
    const asViewer = await getJson(h.gateway, "/v1/tiers/gpt", VIEWER_KEY);
    expect(asClient.json).toMatchObject({ tier: "gpt", state: "closed" });
    expect(asClient.json).not.toHaveProperty("last_verdicts");
    expect(asViewer.json).toHaveProperty("last_verdicts", []);
  });

  it("takes the Authorization scheme in any case, and x-api-key", async () => {
    const models = endpoints.find((endpoint) => endpoint.name === "models") as (typeof endpoints)[number];
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(await call(models, undefined, { authorization: `${scheme} ${CLIENT_KEY}` }), scheme).toBe(200);
    }
    expect(await call(models, undefined, { "x-api-key": CLIENT_KEY })).toBe(200);
    expect(await call(models, undefined, { authorization: `Basic ${CLIENT_KEY}` })).toBe(401);
  });
});
