import type { Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { ServerConfig } from "@breakwater/config";

export interface HttpLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** Where the open-file limit is unknown (not Linux) or unlimited: plenty for one process, bounded memory. */
const maxConnectionsCap = 8192;

/** `auto` made concrete: half the open-file limit (each proxied request also holds an upstream socket). */
export function resolveHttpLimits(server: ServerConfig, openFiles: number | undefined): HttpLimits {
  const maxConnections =
    server.maxConnections === "auto"
      ? Math.max(1, Math.min(maxConnectionsCap, Math.floor((openFiles ?? 2 * maxConnectionsCap) / 2)))
      : server.maxConnections;
  return {
    maxConnections,
    maxConnectionsPerIp:
      server.maxConnectionsPerIp === "auto" ? Math.max(1, Math.floor(maxConnections / 2)) : server.maxConnectionsPerIp,
    headersTimeoutMs: server.headersTimeoutMs,
    requestTimeoutMs: server.requestTimeoutMs,
    keepAliveTimeoutMs: server.keepAliveTimeoutMs,
  };
}

/**
 * Node's own timeouts. `requestTimeout` bounds receiving the request only: a
 * response, however long it streams, is never cut by it. Node checks both
 * timeouts every `connectionsCheckingInterval` (30 s by default, which would
 * let a slow-header connection live 40 s past a 10 s limit); once a second is cheap.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

export type RejectReason = "max_connections" | "per_ip_limit" | "timeout" | "headers_too_large" | "bad_request";

/**
 * Enforces the connection limits on a listening server and reports every
 * connection it turns away. Over `maxConnections` Node drops the socket (its
 * `drop` event); over the per-address cap we do. A request that does not
 * arrive in time (slow headers or body) or cannot be parsed gets the answer
 * Node would give (408 / 431 / 400) and its connection is closed.
 */
export function enforceHttpLimits(
  server: Server,
  limits: HttpLimits,
  onReject: (reason: RejectReason, remoteAddress: string | undefined) => void,
): void {
  server.maxConnections = limits.maxConnections;
  server.on("drop", (dropped?: { remoteAddress?: string }) => onReject("max_connections", dropped?.remoteAddress));

  const perAddress = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return; // already gone
    const open = (perAddress.get(address) ?? 0) + 1;
    if (open > limits.maxConnectionsPerIp) {
      socket.destroy();
      onReject("per_ip_limit", address);
      return;
    }
    perAddress.set(address, open);
    socket.once("close", () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that reset its connection left on its own: nothing to answer, nothing to count.
    if (error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswers[error.code ?? ""] ?? badRequest;
    const answered = socket.bytesWritten > 0; // a later request on a keep-alive connection
    if (socket.writable && !answered) socket.write(answer.response);
    socket.destroy();
    // Noise after a finished exchange (a half-closed socket) is not a rejection; a timeout always is.
    if (!answered || answer.reason === "timeout") onReject(answer.reason, socket.remoteAddress);
  });
}

const respond = (status: string) => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
const badRequest = { reason: "bad_request", response: respond("400 Bad Request") } as const;
const clientErrorAnswers: Record<string, { reason: RejectReason; response: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { reason: "timeout", response: respond("408 Request Timeout") },
  HPE_HEADER_OVERFLOW: { reason: "headers_too_large", response: respond("431 Request Header Fields Too Large") },
};
