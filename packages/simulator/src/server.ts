import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inputTokensOf } from "./answer.ts";
import { type FaultInput, faultSchema, type ProviderSettingsInput } from "./faults.ts";
import { BadRequest, type Protocol, type SimError, type SimRequest } from "./protocols/types.ts";
import {
  applySettings,
  effectiveFault,
  newProviderState,
  type ProviderState,
  type ProviderStats,
} from "./provider-state.ts";
import { buildReply } from "./reply/build-reply.ts";
import { route } from "./route.ts";
import { writeStream } from "./write-stream.ts";

export type { ProviderStats } from "./provider-state.ts";

export interface Simulator {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** `count`: only the next N requests get the fault. */
  setFault(provider: string, fault: FaultInput, count?: number): void;
  configure(provider: string, settings: ProviderSettingsInput): void;
  stats(provider: string): ProviderStats;
  /** Every provider back to healthy defaults, counters to zero. */
  reset(): void;
  close(): Promise<void>;
}

export async function startSimulator(options: { port?: number; host?: string } = {}): Promise<Simulator> {
  const providers = new Map<string, ProviderState>();

  const stateOf = (name: string): ProviderState => {
    let state = providers.get(name);
    if (!state) {
      state = newProviderState(name);
      providers.set(name, state);
    }
    return state;
  };

  const configure = (name: string, input: ProviderSettingsInput): void => applySettings(stateOf(name), name, input);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator");
    const bodyText = await readBody(req);

    if (url.pathname.startsWith("/_control")) return control(req.method ?? "GET", url.pathname, bodyText, res);

    const target = route(url.pathname);
    if (!target || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no simulated endpoint at ${req.method} ${url.pathname}` } }));
      return;
    }
    const { protocol } = target;
    const state = stateOf(target.provider);

    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return sendError(res, protocol, { status: 400, kind: undefined, message: "request body is not valid JSON" });
    }
    state.stats.lastBody = body;
    state.stats.lastPath = target.rest + url.search;

    let request: SimRequest;
    try {
      request = protocol.parse(body, target.rest, url.searchParams);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      return sendError(res, protocol, {
        status: 400,
        kind: undefined,
        message: error.message,
        ...(error.param !== undefined && { param: error.param }),
      });
    }
    state.stats.requests++;
    if (request.stream) state.stats.streamRequests++;
    state.stats.lastRequest = request;
    const apiKey =
      headerValue(req, "x-api-key") ??
      headerValue(req, "x-goog-api-key") ??
      headerValue(req, "authorization")?.replace(/^Bearer /, "");
    if (apiKey !== undefined) state.stats.lastApiKey = apiKey;

    const fault = effectiveFault(state);
    if (fault.mode === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault.mode === "hang") return; // the connection stays open until the client gives up

    const delay = state.settings.latencyMs + (fault.mode === "slow" ? fault.delay_ms : 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;

    if (fault.mode === "error") {
      return sendError(res, protocol, {
        status: fault.status,
        kind: fault.kind,
        ...(fault.retry_after_s !== undefined && { retryAfterS: fault.retry_after_s }),
        ...(fault.message !== undefined && { message: fault.message }),
      });
    }
    const inputTokens = inputTokensOf(request);
    if (inputTokens > state.settings.contextWindow) {
      return sendError(res, protocol, {
        status: 400,
        kind: "context_length",
        message: `prompt is too long: ${inputTokens} tokens > ${state.settings.contextWindow} maximum`,
      });
    }

    const headers: Record<string, string> = {};
    if (protocol.requestIdHeader) headers[protocol.requestIdHeader] = requestId();
    if (target.countTokens && protocol.countTokens) {
      res.writeHead(200, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify(protocol.countTokens(inputTokens)));
      return;
    }

    const reply = buildReply(request, state.settings, target.provider, fault);
    if (!request.stream) {
      res.writeHead(200, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify(protocol.complete(reply, request)));
      return;
    }
    res.writeHead(200, { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" });
    writeStream(res, protocol.stream(reply, request), fault, protocol);
  }

  function control(method: string, path: string, bodyText: string, res: ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (method === "POST" && path === "/_control/reset") {
      providers.clear();
      send(200, { ok: true });
      return;
    }
    const match = /^\/_control\/providers\/([^/]+)$/.exec(path);
    if (!match?.[1]) {
      send(404, { error: { message: "control endpoints: PUT|GET /_control/providers/:name, POST /_control/reset" } });
      return;
    }
    const name = decodeURIComponent(match[1]);
    if (method === "PUT") {
      try {
        configure(name, JSON.parse(bodyText || "{}"));
      } catch (error) {
        send(400, { error: { message: error instanceof Error ? error.message : String(error) } });
        return;
      }
    }
    const state = stateOf(name);
    send(200, { provider: name, settings: state.settings, stats: state.stats });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    setFault: (name, fault, count) =>
      configure(name, { fault: faultSchema.parse(fault), ...(count !== undefined && { fault_count: count }) }),
    configure,
    stats: (name) => ({ ...stateOf(name).stats }),
    reset: () => providers.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, protocol: Protocol, error: SimError): void {
  const rendered = protocol.error(error);
  const headers = { ...rendered.headers };
  if (protocol.requestIdHeader) headers[protocol.requestIdHeader] = requestId();
  res.writeHead(rendered.status, headers);
  res.end(rendered.body);
}

const requestId = () => `req_${randomBytes(12).toString("hex")}`;

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
