import { parseConfig } from "@breakwater/config";
import { describe, expect, it } from "vitest";
import { httpServerOptions, resolveHttpLimits } from "../src/http-limits.ts";
import { openFileLimit } from "../src/open-file-limit.ts";

const serverConfig = (server = "{}") =>
  parseConfig(
    `
auth: { client_keys: [env:KEY] }
server: ${server}
tiers: { t: { provider: openai_compatible, model: m, base_url: "http://127.0.0.1:9/v1" } }
routes: { r: { tiers: [t] } }
`,
    { KEY: "k" },
  ).config.server;

describe("resolveHttpLimits", () => {
  it("takes half the open-file limit for connections and half of that per address when left on auto", () => {
    expect(resolveHttpLimits(serverConfig(), 1024)).toMatchObject({ maxConnections: 512, maxConnectionsPerIp: 256 });
  });

  it("caps auto at 8192 connections when files are plentiful or the limit is unknown", () => {
    expect(resolveHttpLimits(serverConfig(), 1_048_576).maxConnections).toBe(8192);
    expect(resolveHttpLimits(serverConfig(), undefined)).toMatchObject({
      maxConnections: 8192,
      maxConnectionsPerIp: 4096,
    });
  });

  it("keeps explicit limits, deriving only an auto per-address cap from them", () => {
    expect(resolveHttpLimits(serverConfig("{ max_connections: 3 }"), 1024)).toMatchObject({
      maxConnections: 3,
      maxConnectionsPerIp: 1,
    });
    expect(resolveHttpLimits(serverConfig("{ max_connections: 100, max_connections_per_ip: 100 }"), 10)).toMatchObject({
      maxConnections: 100,
      maxConnectionsPerIp: 100,
    });
  });

  it("checks Node's request timeouts every second rather than every 30 s, never less often than the headers timeout", () => {
    expect(httpServerOptions(resolveHttpLimits(serverConfig(), 1024))).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 65_000,
      connectionsCheckingInterval: 1_000,
    });
    const quick = resolveHttpLimits(serverConfig("{ headers_timeout_ms: 300, request_timeout_ms: 600 }"), 1024);
    expect(httpServerOptions(quick).connectionsCheckingInterval).toBe(300);
  });
});

describe("server config", () => {
  it("refuses a drain delay as long as the grace period, and headers allowed longer than the whole request", () => {
    expect(() => serverConfig("{ drain_delay_ms: 10000, shutdown_grace_ms: 10000 }")).toThrow(
      /server\.drain_delay_ms: must be shorter than server\.shutdown_grace_ms \(10000\)/,
    );
    expect(() => serverConfig("{ headers_timeout_ms: 40000 }")).toThrow(
      /server\.headers_timeout_ms: must not exceed server\.request_timeout_ms \(30000\)/,
    );
  });
});

describe("openFileLimit", () => {
  const limits = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 1048576              files\n`;

  it("reads the soft limit from /proc/self/limits", () => {
    expect(openFileLimit(() => limits("1024"))).toBe(1024);
  });

  it("is unknown when unlimited or unreadable (not Linux)", () => {
    expect(openFileLimit(() => limits("unlimited"))).toBeUndefined();
    expect(
      openFileLimit(() => {
        throw new Error("ENOENT");
      }),
    ).toBeUndefined();
  });
});
