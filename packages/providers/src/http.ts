import { Agent, fetch as undiciFetch } from "undici";

/**
 * One keep-alive connection pool per process, shared by every SDK client.
 * Undici's own header/body timeouts are off: Breakwater enforces per-attempt,
 * first-byte and idle timeouts itself, and must know which one fired.
 */
export function createKeepAliveFetch(options: { connectionsPerOrigin?: number } = {}): typeof globalThis.fetch {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connectionsPerOrigin ?? 256,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const keepAliveFetch = (input: unknown, init?: Record<string, unknown>) =>
    undiciFetch(
      input as Parameters<typeof undiciFetch>[0],
      { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1],
    );
  return keepAliveFetch as unknown as typeof globalThis.fetch;
}
