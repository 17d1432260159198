/** What a Redis Cluster client needs from a URL: the nodes to start from, and credentials for every node. */
export interface ClusterUrl {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
}

/**
 * `redis://[user:password@]a:6379,b:6379,…` names a Redis Cluster: several
 * comma-separated nodes (any few; the client finds the rest), the credentials
 * written once and used for every node, including those found through the
 * cluster. A URL with one host is one server: undefined. TLS (`rediss://`)
 * works for one server only.
 */
export function parseClusterUrl(url: string): ClusterUrl | undefined {
  const [first = "", ...others] = url.split(",");
  if (others.length === 0) return undefined;
  const head = new URL(first);
  // Not yet: the nodes found through the cluster would need TLS options of their own. Refused rather than sent in clear.
  if (head.protocol === "rediss:") throw new Error("REDIS_URL: Redis Cluster over TLS (rediss://) is not supported");
  // A cluster has no database index: a path or query after the last node is ignored.
  const hosts = [head.host, ...others.map((host) => host.replace(/[/?#].*$/, ""))];
  return {
    nodes: hosts.map((host) => {
      const [name = "", port] = host.split(":");
      return { host: name, port: Number(port || 6379) };
    }),
    ...(head.username && { username: decodeURIComponent(head.username) }),
    ...(head.password && { password: decodeURIComponent(head.password) }),
  };
}
