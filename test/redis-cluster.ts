import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis, type RedisOptions } from "ioredis";
import { freePort, spawnRedisServer } from "./redis-process.ts";

export interface RedisClusterOptions {
  /** Masters share the 16,384 slots; redis-cli needs at least 3. */
  masters?: number;
  /** 1 for a failover: each master gets a replica that can take over. */
  replicasPerMaster?: number;
  /**
   * How long a node may be silent before the others fail it over. Short so a
   * test's failover takes seconds, not Redis's 15 s default; not so short that a
   * busy 2-core machine fails over a node that was only slow to answer.
   */
  nodeTimeoutMs?: number;
  /** Every node asks for it (`requirepass`), replicas too (`masterauth`); `url` carries it. */
  password?: string;
}

interface ClusterNode {
  port: number;
  child: ChildProcess | undefined;
}

/**
 * A Redis Cluster of the test's own: `redis-server --cluster-enabled yes`
 * nodes on free ports in a temporary directory, no persistence, joined by
 * `redis-cli --cluster create`. `url` is the comma-separated form
 * RedisStore and BullQueues read as a cluster.
 */
export class RedisCluster {
  private readonly dir = mkdtempSync(join(tmpdir(), "bw-redis-cluster-"));
  private readonly nodes: ClusterNode[] = [];
  /** Every port handed out, node and bus, so two never collide. */
  private readonly taken = new Set<number>();

  private constructor(
    private readonly options: Required<Omit<RedisClusterOptions, "password">> & RedisClusterOptions,
  ) {}

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const cluster = new RedisCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 2_000, ...options });
    try {
      await cluster.create();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    const credentials = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : "";
    return `redis://${credentials}${this.running.map((node) => `127.0.0.1:${node.port}`).join(",")}`;
  }

  /** Ports of the nodes still running. */
  get ports(): number[] {
    return this.running.map((node) => node.port);
  }

  private get running(): ClusterNode[] {
    return this.nodes.filter((node) => node.child);
  }

  private async create(): Promise<void> {
    const { masters, replicasPerMaster } = this.options;
    const count = masters * (1 + replicasPerMaster);
    for (let i = 0; i < count; i++) this.nodes.push({ port: await this.freePort(), child: undefined });
    await Promise.all(this.nodes.map((node) => this.startNode(node)));
    const addresses = this.nodes.map((node) => `127.0.0.1:${node.port}`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      String(replicasPerMaster),
      "--cluster-yes",
      ...this.auth,
    ]);
    await this.waitUntilOk(30_000);
  }

  private async startNode(node: ClusterNode): Promise<void> {
    // The cluster bus gets a free port of its own (Redis's default, port + 10000, may be taken or out of range).
    const busPort = await this.freePort();
    node.child = await spawnRedisServer([
      ...["--port", String(node.port), "--bind", "127.0.0.1", "--daemonize", "no"],
      ...["--cluster-enabled", "yes", "--cluster-port", String(busPort)],
      ...["--cluster-config-file", `nodes-${node.port}.conf`, "--dir", this.dir],
      ...["--cluster-node-timeout", String(this.options.nodeTimeoutMs)],
      // A replica takes over however long it was cut from its master: no data is older than the test.
      ...["--cluster-replica-validity-factor", "0"],
      // Replicas sync at once (Redis waits 5 s for more replicas to share a diskless sync by default).
      ...["--repl-diskless-sync-delay", "0"],
      ...["--save", "", "--appendonly", "no"],
      ...(this.options.password ? ["--requirepass", this.options.password, "--masterauth", this.options.password] : []),
    ]);
  }

  /**
   * Every running node says the cluster is ok with every slot served, each
   * slot's master is a running node, and every running replica is in sync.
   */
  async waitUntilOk(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.notOkBecause().catch((error: Error) => error.message);
      if (!last) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Redis Cluster not ok after ${timeoutMs} ms: ${last}`);
  }

  private async notOkBecause(): Promise<string> {
    const ports = this.ports;
    for (const port of ports) {
      const info = String(await this.command(port, ["cluster", "info"]));
      if (!/cluster_state:ok/.test(info)) return `node ${port}: cluster_state not ok`;
      if (!/cluster_slots_ok:16384/.test(info)) return `node ${port}: not every slot ok`;
    }
    const masters = await this.masters();
    if (masters.size !== this.options.masters) return `${masters.size} masters serve slots`;
    for (const port of masters.keys()) {
      if (!ports.includes(port)) return `slots still served by stopped node ${port}`;
    }
    for (const port of ports) {
      const replication = String(await this.command(port, ["info", "replication"]));
      if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication))
        return `replica ${port} not in sync with its master`;
    }
    return "";
  }

  /** The master serving each slot range, by port, as a running node sees it. */
  private async masters(): Promise<Map<number, Array<[number, number]>>> {
    const slots = (await this.command(this.ports[0] as number, ["cluster", "slots"])) as Array<
      [number, number, [string, number, string]]
    >;
    const masters = new Map<number, Array<[number, number]>>();
    for (const [from, to, [, port]] of slots) masters.set(port, [...(masters.get(port) ?? []), [from, to]]);
    return masters;
  }

  /** The port of the master that serves `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await this.command(this.ports[0] as number, ["cluster", "keyslot", key]));
    for (const [port, ranges] of await this.masters()) {
      if (ranges.some(([from, to]) => slot >= from && slot <= to)) return port;
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** Ports of the nodes that are masters now. */
  async masterPorts(): Promise<number[]> {
    return [...(await this.masters()).keys()];
  }

  /** SIGKILL one node: its connections drop, nothing is saved; its replica is promoted once the others agree it failed. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.port === port);
    const child = node?.child;
    if (!node || !child) throw new Error(`no running node on port ${port}`);
    node.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  }

  /** One command on one node, on a connection of its own (a node that is not a cluster client). */
  async command(port: number, args: string[]): Promise<unknown> {
    const redis = this.admin(port, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      return await redis.call(args[0] as string, ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  }

  /** Deletes every key under `prefix` on every master: what a flush does to one deployment's keys. */
  async deleteEveryKey(prefix: string): Promise<void> {
    for (const port of await this.masterPorts()) {
      const redis = this.admin(port);
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          // One DEL per key: the keys of one scan may sit in different slots.
          for (const key of keys) await redis.del(key);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    }
  }

  /** Every key under `prefix`, on every master. */
  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for (const port of await this.masterPorts()) {
      const redis = this.admin(port);
      try {
        found.push(...(await redis.keys(`${prefix}*`)));
      } finally {
        redis.disconnect();
      }
    }
    return found;
  }

  /** A plain connection to one node, not a cluster client: for the test's own inspection. */
  private admin(port: number, options: RedisOptions = {}): Redis {
    return new Redis({
      port,
      host: "127.0.0.1",
      ...(this.options.password && { password: this.options.password }),
      ...options,
    });
  }

  private async freePort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (this.taken.has(port)) continue;
      this.taken.add(port);
      return port;
    }
  }

  private get auth(): string[] {
    return this.options.password ? ["-a", this.options.password, "--no-auth-warning"] : [];
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((node) => this.kill(node.port)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${output}`)),
    );
  });
}
