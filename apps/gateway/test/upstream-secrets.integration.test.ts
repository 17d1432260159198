import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
tiers:
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1" }
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
routes:
  gpt-only: { tiers: [gpt] }
  claude-only: { tiers: [claude] }
`;

/** What upstreams do: quote a key back in an error's text. */
const SECRETS = ["sk-ant-api03-Qm7LeakedKeyValue-x9", "sk-proj-LeakedOpenAIKey0042", "eyJhbGciOiJIUzI1NiJ9.leaked"];
const quoting = `invalid request: key sk-ant-api03-Qm7LeakedKeyValue-x9 (org sk-proj-LeakedOpenAIKey0042) sent with Bearer eyJhbGciOiJIUzI1NiJ9.leaked`;

type Protocol = "chat" | "messages" | "responses";
const request: Record<Protocol, (stream: boolean) => { path: string; body: unknown; tier: string }> = {
  chat: (stream) => ({
    path: "/v1/chat/completions",
    body: { model: "gpt-only", stream, messages: [{ role: "user", content: "hi" }] },
    tier: "gpt",
  }),
  messages: (stream) => ({
    path: "/v1/messages",
    body: { model: "claude-only", stream, max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
    tier: "claude",
  }),
  responses: (stream) => ({
    path: "/v1/responses",
    body: { model: "gpt-only", stream, input: "hi" },
    tier: "gpt",
  }),
};

describe("no upstream text reaches a client", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.simulator.reset();
  });

  /** The whole answer as the client's bytes: status, headers and body, however it is shaped. */
  async function send(path: string, body: unknown) {
    const response = await fetch(`${h.gateway.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      requestId: response.headers.get("x-request-id") as string,
      text,
      all: `${[...response.headers].join("\n")}\n${text}`,
    };
  }

  const expectNoSecret = (text: string) => {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  };
  /** What a client got: not a word of the upstream's text, redacted or not. */
  const expectNoUpstreamText = (all: string) => {
    expectNoSecret(all);
    expect(all).not.toMatch(/Leaked|invalid request: key/);
  };

  describe.each<Protocol>(["chat", "messages", "responses"])("%s", (protocol) => {
    it.each([false, true])(
      "a 400 whose text quotes a key (stream: %s): our message, the upstream's status and type",
      async (stream) => {
        const { path, body, tier } = request[protocol](stream);
        h.simulator.setFault(tier, { mode: "error", status: 400, message: quoting });
        const answer = await send(path, body);
        expect(answer.status).toBe(400);
        expectNoUpstreamText(answer.all);
        const json = JSON.parse(answer.text);
        if (protocol === "messages") {
          expect(json.error).toEqual({
            type: "invalid_request_error",
            message: expect.stringMatching(
              /^the provider refused the request as invalid \(HTTP 400, invalid_request_error\)/,
            ),
            upstream: { status: 400, type: "invalid_request_error" },
          });
        } else {
          expect(json.error).toMatchObject({
            code: "upstream_rejected",
            type: "invalid_request_error",
            message: expect.stringContaining(`gateway log under request id ${answer.requestId}`),
            upstream: { status: 400, type: "invalid_request_error" },
          });
        }
        // The text itself is in the log under the request id, its key-shaped parts redacted.
        const logged = h.logs.filter((line) => line.includes(answer.requestId)).join("\n");
        expect(logged).toContain("invalid request: key [redacted]");
        expectNoSecret(logged);
      },
    );

    it("an in-stream error whose text quotes a key: the stream ends with our error event", async () => {
      const { path, body, tier } = request[protocol](true);
      h.simulator.setFault(tier, { mode: "stream_error", after_chunks: 1, message: quoting });
      const answer = await send(path, body);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("the upstream stream failed after it started (stream)");
      expectNoUpstreamText(answer.all);
      await expect
        .poll(() => h.logs.filter((line) => line.includes(answer.requestId)).join("\n"))
        .toContain("stream failed after first byte");
      expectNoSecret(h.logs.join("\n"));
    });
  });

  it("a context-length refusal: our message with the upstream's code, not its text", async () => {
    h.simulator.setFault("gpt", { mode: "error", status: 400, kind: "context_length", message: quoting });
    const error = await new OpenAI({
      apiKey: CLIENT_KEY,
      baseURL: `${h.gateway.url}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create({ model: "gpt-only", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const refused = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(refused.code).toBe("context_length_exceeded");
    expect(refused.error).toMatchObject({
      upstream: { status: 400, type: "invalid_request_error", code: "context_length_exceeded" },
    });
    expectNoUpstreamText(JSON.stringify(refused.error));
  });

  it("a token count the upstream refuses with a key in its text", async () => {
    h.simulator.setFault("claude", { mode: "error", status: 400, message: quoting });
    const anthropic = h.anthropic;
    const error = await anthropic.messages
      .countTokens({ model: "claude-only", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expectNoUpstreamText(JSON.stringify((error as InstanceType<typeof Anthropic.BadRequestError>).error));
  });

  it("a server error with a key in its text, after every tier failed", async () => {
    h.simulator.setFault("gpt", { mode: "error", status: 500, message: quoting });
    const answer = await send("/v1/chat/completions", request.chat(false).body);
    expect(answer.status).toBe(503);
    expectNoUpstreamText(answer.all);
  });
});
