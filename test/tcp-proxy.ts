import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP pass-through in front of a real service, so a test can take the
 * service away from one client (and give it back) without stopping the
 * server that every other test shares.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private hung = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.hung) {
        // Accepted, never answered.
        this.sockets.add(client);
        client.on("close", () => this.sockets.delete(client));
        client.on("error", () => client.destroy());
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      const pair = { client, upstream };
      this.pairs.add(pair);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => {
          this.sockets.delete(socket);
          this.pairs.delete(pair);
        });
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Refuses new connections and drops the open ones: the service is "down" for whoever uses this proxy. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * The service hangs: connections are still accepted, nothing is answered —
   * on new connections, nor on open ones (what was sent stays unanswered).
   */
  hang(): void {
    this.hung = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /**
   * Listens again on the same port (no-op when it is listening). After a hang
   * the hung connections are dropped — or, with `keepHung`, left hanging for
   * ever (a connection the network wedged) while new ones are served again.
   */
  async restore(options: { keepHung?: boolean } = {}): Promise<this> {
    if (this.hung) {
      this.hung = false;
      if (!options.keepHung) for (const socket of this.sockets) socket.destroy();
    }
    return this.server ? this : this.start();
  }

  async stop(): Promise<void> {
    if (this.server) await this.cut();
  }
}

/** A URL with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(proxy.port);
  return parsed.toString();
}
