import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, startHarness } from "./harness.ts";

const yaml = (server: string) => `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
server: ${server}
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
routes:
  chat: { tiers: [primary] }
`;

let h: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await h?.close();
  h = undefined;
});

/** A raw connection to the gateway, from `localAddress` (any 127.x address reaches a loopback listener on Linux). */
function open(url: string, localAddress = "127.0.0.1"): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    sockets.push(socket);
    socket.once("connect", () => resolve(socket)).once("error", reject);
  });
}

/** Everything the server sends until it closes the connection. */
const untilClosed = (socket: Socket) =>
  new Promise<string>((resolve) => {
    let received = "";
    socket.setEncoding("utf8").on("data", (text: string) => {
      received += text;
    });
    socket.once("close", () => resolve(received));
  });

/** The rejection counter, read in-process: asking /metrics would take a connection slot itself. */
const rejected = async (h: Harness, reason: string) =>
  (await h.gateway.services.metrics.connectionsRejected.get()).values.find((v) => v.labels.reason === reason)?.value ??
  0;

const rejectionLines = (h: Harness, reason: string) =>
  h.logs.filter((line) => line.includes('"connection rejected"') && line.includes(`"reason":"${reason}"`));

describe("HTTP server limits", () => {
  it("caps slow-header connections from one address while another address is served at once, logging once and counting each", async () => {
    h = await startHarness("services", yaml("{ max_connections: 100, max_connections_per_ip: 5 }"));
    const attacker = await Promise.all(Array.from({ length: 20 }, () => open(h!.gateway.url, "127.0.0.2")));
    for (const socket of attacker) socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // never finishes
    await expect.poll(() => rejected(h!, "per_ip_limit"), { timeout: 5_000 }).toBe(15);
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^breakwater_connections_rejected_total\{reason="per_ip_limit"\} 15$/m);

    const askedAt = Date.now();
    const response = await fetch(`${h.gateway.url}/healthz`);
    const answeredMs = Date.now() - askedAt;
    expect(response.status).toBe(200);
    expect(answeredMs).toBeLessThan(1_000);
    console.info(`another address answered in ${answeredMs} ms while 127.0.0.2 held its 5 slow-header connections`);

    // 15 rejections, one log line: a flood must not flood the log.
    expect(rejectionLines(h, "per_ip_limit")).toHaveLength(1);
    expect(JSON.parse(rejectionLines(h, "per_ip_limit")[0] as string)).toMatchObject({
      level: "warn",
      remote_address: "127.0.0.2",
      max_connections_per_ip: 5,
    });
  });

  it("closes connections over max_connections at once and serves again when slots free up", async () => {
    h = await startHarness("services", yaml("{ max_connections: 3, max_connections_per_ip: 3 }"));
    const idle = await Promise.all([1, 2, 3].map(() => open(h!.gateway.url)));
    const extra = await open(h.gateway.url);
    expect(await untilClosed(extra)).toBe(""); // dropped without an answer
    expect(await rejected(h, "max_connections")).toBe(1);

    for (const socket of idle) socket.destroy();
    await expect
      .poll(() => fetch(`${h!.gateway.url}/healthz`).then((response) => response.status), { timeout: 5_000 })
      .toBe(200);
  });

  it("answers 408 and closes a connection whose headers do not arrive within headers_timeout_ms", async () => {
    h = await startHarness("services", yaml("{ headers_timeout_ms: 300, request_timeout_ms: 5000 }"));
    const slow = await open(h.gateway.url);
    const openedAt = Date.now();
    slow.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
    const answer = await untilClosed(slow);
    const closedMs = Date.now() - openedAt;
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedMs).toBeLessThan(5_000);
    console.info(`slow-header connection closed after ${closedMs} ms (headers_timeout_ms 300)`);
    expect(await rejected(h, "timeout")).toBe(1);
  });

  it("answers 408 to a body slower than request_timeout_ms, yet never cuts a response that takes longer", async () => {
    h = await startHarness("services", yaml("{ headers_timeout_ms: 300, request_timeout_ms: 600 }"));
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 2_000 }); // answers well after the request timeout

    const slowBody = await open(h.gateway.url);
    slowBody.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${CLIENT_KEY}\r\ncontent-length: 100\r\n\r\n{`,
    );
    expect(await untilClosed(slowBody)).toMatch(/^HTTP\/1\.1 408 /);

    const stream = await h.client.chat.completions.create({
      model: "chat",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("Simulated answer from primary");
    expect(await rejected(h, "timeout")).toBe(1);
  });
});
