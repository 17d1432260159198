import { Readable } from "node:stream";
import { Agent, request } from "undici";

type HeadersInput =
  | Headers
  | Record<string, string | readonly string[] | undefined>
  | Array<[string, string]>
  | undefined;

function headerRecord(headers: HeadersInput): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers) record[name] = value;
    return record;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(", ") : (value as string);
  }
  return record;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

const utf8 = new TextDecoder();

const bytesOf = new WeakMap<Response, Uint8Array>();

/**
 * A response whose body is already in memory. The SDKs read non-streamed
 * bodies with `text()` / `json()`, so those decode the bytes directly; no web
 * stream is built for a body nobody will stream (that construction was ~4% of
 * the gateway's CPU per request).
 */
class BufferedResponse extends Response {
  constructor(bytes: Uint8Array, init: ResponseInit) {
    super(null, init);
    bytesOf.set(this, bytes);
  }
}
Object.defineProperties(BufferedResponse.prototype, {
  text: {
    value(this: Response) {
      return Promise.resolve(utf8.decode(bytesOf.get(this)));
    },
  },
  json: {
    value(this: Response) {
      return Promise.resolve(JSON.parse(utf8.decode(bytesOf.get(this))));
    },
  },
  arrayBuffer: {
    value(this: Response) {
      const bytes = bytesOf.get(this) as Uint8Array;
      return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  },
});

/**
 * A `fetch` for the provider SDKs, built on undici's `request` over one
 * keep-alive connection pool per process. The SDKs only need status, headers
 * and a body; the full WHATWG fetch machinery (Request objects, webidl checks,
 * a fetch controller per call) measured as most of the gateway's per-request
 * CPU, so it is skipped (BENCHMARKS.md). Non-streamed bodies are read whole;
 * event streams are handed over as they arrive.
 *
 * Undici's own header/body timeouts are off: Breakwater enforces per-attempt,
 * first-byte and idle timeouts itself and must know which one fired.
 */
export function createKeepAliveFetch(options: { connectionsPerOrigin?: number } = {}): typeof globalThis.fetch {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connectionsPerOrigin ?? 256,
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  const keepAliveFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let body = init.body ?? undefined;
    if (body instanceof ReadableStream) body = Readable.fromWeb(body as never) as never;
    const response = await request(url, {
      method: (init.method ?? "GET") as "GET",
      headers: headerRecord(init.headers as HeadersInput),
      body: body as string | Buffer | Readable | undefined,
      signal: init.signal ?? undefined,
      dispatcher: agent,
    });
    const headers = responseHeaders(response.headers);
    if (response.statusCode === 204 || response.statusCode === 304) {
      await response.body.dump();
      return new Response(null, { status: response.statusCode, headers });
    }
    if (headers.get("content-type")?.includes("text/event-stream")) {
      return new Response(Readable.toWeb(response.body) as ReadableStream, { status: response.statusCode, headers });
    }
    const bytes = new Uint8Array(await response.body.arrayBuffer());
    return new BufferedResponse(bytes, { status: response.statusCode, headers });
  };
  return keepAliveFetch as typeof globalThis.fetch;
}
