import { describe, expect, it } from "vitest";
import { parseClusterUrl } from "./cluster-url.ts";

describe("parseClusterUrl", () => {
  it("reads several comma-separated nodes as a cluster, a missing port as 6379", () => {
    expect(parseClusterUrl("redis://10.0.0.1:7000,redis-1.redis:7001,redis-2.redis")).toEqual({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "redis-1.redis", port: 7001 },
        { host: "redis-2.redis", port: 6379 },
      ],
    });
  });

  it("applies the credentials written before the first node to every node, decoded", () => {
    expect(parseClusterUrl("redis://app:p%40ss%3Aword@a:6379,b:6379")).toEqual({
      nodes: [
        { host: "a", port: 6379 },
        { host: "b", port: 6379 },
      ],
      username: "app",
      password: "p@ss:word",
    });
    expect(parseClusterUrl("redis://:secret@a:6379,b:6380")).toMatchObject({ password: "secret" });
    expect(parseClusterUrl("redis://:secret@a:6379,b:6380")).not.toHaveProperty("username");
  });

  it("ignores a database path after the last node, and leaves one server's URL alone", () => {
    expect(parseClusterUrl("redis://a:1,b:2/0")?.nodes).toEqual([
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ]);
    expect(parseClusterUrl("redis://:secret@redis:6379/0")).toBeUndefined();
    expect(parseClusterUrl("rediss://:secret@redis:6379")).toBeUndefined();
  });

  it("refuses a cluster over TLS rather than connect in clear", () => {
    expect(() => parseClusterUrl("rediss://:secret@a:6379,b:6379")).toThrow(/TLS \(rediss:\/\/\) is not supported/);
  });
});
