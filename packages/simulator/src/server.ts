import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { estimateTokens, garble, hashSeed, healthyAnswer, seededRandom, streamPieces } from "./answer.ts";
import {
  defaultSettings,
  type Fault,
  type FaultInput,
  faultSchema,
  type ProviderSettings,
  type ProviderSettingsInput,
  providerSettingsSchema,
} from "./faults.ts";
import { anthropic } from "./protocols/anthropic.ts";
import { gemini } from "./protocols/gemini.ts";
import { openai } from "./protocols/openai.ts";
import { BadRequest, type Protocol, type SimError, type SimReply, type SimRequest } from "./protocols/types.ts";

export interface ProviderStats {
  requests: number;
  streamRequests: number;
  /** The credential the last request carried (fake keys only ever reach the simulator). */
  lastApiKey?: string;
  lastRequest?: SimRequest;
}

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

interface ProviderState {
  settings: ProviderSettings;
  stats: ProviderStats;
  random: () => number;
}

function route(path: string): { provider: string; protocol: Protocol; rest: string } | undefined {
  const match = /^\/([^/]+)(\/.*)$/.exec(path);
  if (!match) return undefined;
  const [, provider, rest] = match as unknown as [string, string, string];
  if (rest === "/v1/chat/completions" || rest === "/chat/completions") return { provider, protocol: openai, rest };
  if (rest === "/v1/messages") return { provider, protocol: anthropic, rest };
  if (/^\/v1(beta|alpha)?\/models\/[^/]+:(generateContent|streamGenerateContent)$/.test(rest)) {
    return { provider, protocol: gemini, rest };
  }
  return undefined;
}

export async function startSimulator(options: { port?: number; host?: string } = {}): Promise<Simulator> {
  const providers = new Map<string, ProviderState>();

  const stateOf = (name: string): ProviderState => {
    let state = providers.get(name);
    if (!state) {
      state = {
        settings: defaultSettings(),
        stats: { requests: 0, streamRequests: 0 },
        random: seededRandom(hashSeed(name)),
      };
      providers.set(name, state);
    }
    return state;
  };

  const configure = (name: string, input: ProviderSettingsInput): void => {
    const parsed = providerSettingsSchema.parse(input);
    const state = stateOf(name);
    if (parsed.fault) {
      state.settings.fault = parsed.fault;
      state.random = seededRandom(hashSeed(name));
      if (parsed.fault_count === undefined) delete state.settings.faultRemaining;
      else state.settings.faultRemaining = parsed.fault_count;
    }
    if (parsed.latency_ms !== undefined) state.settings.latencyMs = parsed.latency_ms;
    if (parsed.context_window !== undefined) state.settings.contextWindow = parsed.context_window;
    if (parsed.reply !== undefined) state.settings.reply = parsed.reply;
  };

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

    let request: SimRequest;
    try {
      request = protocol.parse(JSON.parse(bodyText), target.rest, url.searchParams);
    } catch (error) {
      const message = error instanceof BadRequest ? error.message : "request body is not valid JSON";
      return sendError(res, protocol, { status: 400, kind: undefined, message });
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
      });
    }
    const inputTokens = estimateTokens(request.prompt);
    if (inputTokens > state.settings.contextWindow) {
      return sendError(res, protocol, {
        status: 400,
        kind: "context_length",
        message: `prompt is too long: ${inputTokens} tokens > ${state.settings.contextWindow} maximum`,
      });
    }

    const reply = buildReply(request, state.settings, target.provider, fault, inputTokens);
    const headers: Record<string, string> = {};
    if (protocol.requestIdHeader) headers[protocol.requestIdHeader] = `req_${randomBytes(12).toString("hex")}`;

    if (!request.stream) {
      res.writeHead(200, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify(protocol.complete(reply)));
      return;
    }
    res.writeHead(200, { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const frame of protocol.streamOpen(reply)) res.write(frame);
    const pieces = streamPieces(reply.text);
    const cutAfter = "after_chunks" in fault ? fault.after_chunks : Number.POSITIVE_INFINITY;
    for (const [index, piece] of pieces.entries()) {
      if (index >= cutAfter) break;
      res.write(protocol.streamDelta(reply, piece));
    }
    if (fault.mode === "stream_error") {
      res.end(
        protocol.streamError({ status: 500, kind: undefined, message: "Internal server error during generation" }),
      );
    } else if (fault.mode === "stream_truncate") {
      res.end();
    } else if (fault.mode === "stream_stall") {
      // leave the stream open and silent; the client's idle timeout must notice
    } else {
      for (const frame of protocol.streamClose(reply, request)) res.write(frame);
      res.end();
    }
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

function effectiveFault(state: ProviderState): Fault {
  const { settings } = state;
  if (settings.faultRemaining !== undefined) {
    if (settings.faultRemaining <= 0) return { mode: "ok" };
    settings.faultRemaining--;
  }
  const { fault } = settings;
  if (fault.mode !== "flaky") return fault;
  return state.random() < fault.rate ? { mode: "error", status: fault.status } : { mode: "ok" };
}

function buildReply(
  request: SimRequest,
  settings: ProviderSettings,
  provider: string,
  fault: Fault,
  inputTokens: number,
): SimReply {
  const healthy = settings.reply ?? healthyAnswer(request, provider);
  let text = fault.mode === "garbled" ? garble(healthy) : healthy;
  let finish: SimReply["finish"] = "stop";
  if (request.maxTokens !== undefined && estimateTokens(text) > request.maxTokens) {
    text = text.slice(0, request.maxTokens * 4);
    finish = "length";
  }
  return {
    id: `sim_${randomBytes(8).toString("hex")}`,
    model: request.model,
    text,
    inputTokens,
    outputTokens: estimateTokens(text),
    finish,
  };
}

function sendError(res: ServerResponse, protocol: Protocol, error: SimError): void {
  const rendered = protocol.error(error);
  const headers = { ...rendered.headers };
  if (protocol.requestIdHeader) headers[protocol.requestIdHeader] = `req_${randomBytes(12).toString("hex")}`;
  res.writeHead(rendered.status, headers);
  res.end(rendered.body);
}

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
