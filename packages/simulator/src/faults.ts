import { z } from "zod";

export const badOutputKind = z.enum([
  /** No choice at all: OpenAI `choices: []`, Anthropic `content: []`, Gemini `candidates: []`. */
  "no_choices",
  /** One choice with empty text and an ordinary stop. */
  "empty",
  /** A call to `not_an_offered_tool` with arguments {}. */
  "unknown_tool",
  /**
   * A call to the first offered tool (or `lookup`) whose arguments are not JSON,
   * or, where the wire needs an object, miss what the schema requires.
   */
  "invalid_tool_args",
  /** Prose where JSON was asked for: `Sure! Here is the JSON you asked for.` */
  "invalid_json",
  /** Valid JSON that fits no schema of interest: `{"unexpected": true}`. */
  "schema_mismatch",
]);

export type BadOutputKind = z.infer<typeof badOutputKind>;

/**
 * What a fake provider does with the next request. Switchable at run time over
 * the control API, so a test or a drill can turn a healthy provider bad and back.
 */
export const faultSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("ok") }),
  z.strictObject({
    mode: z.literal("error"),
    status: z.number().int().min(400).max(599),
    /** Sent as retry-after (and as Gemini RetryInfo). */
    retry_after_s: z.number().min(0).optional(),
    /** Refines the body for statuses that mean several things (429, 400, 403). */
    kind: z.enum(["rate_limit", "quota", "overloaded", "context_length", "auth", "html"]).optional(),
    /** The error's message, where the status's body has one (400s, 5xx): e.g. one quoting a key, as upstreams do. */
    message: z.string().optional(),
  }),
  /** A fraction of requests fail with `status`; the rest succeed. Seeded, so runs repeat. */
  z.strictObject({ mode: z.literal("flaky"), rate: z.number().min(0).max(1), status: z.number().int().default(500) }),
  /** Read the request, never answer. */
  z.strictObject({ mode: z.literal("hang") }),
  z.strictObject({ mode: z.literal("slow"), delay_ms: z.number().int().min(0) }),
  /** Destroy the socket as soon as the request arrives. */
  z.strictObject({ mode: z.literal("reset") }),
  /** 200 OK with scrambled text: the quality brownout. */
  z.strictObject({ mode: z.literal("garbled") }),
  /** Streams: send `after_chunks` content chunks, then the protocol's in-stream error event (with `message`, if given). */
  z.strictObject({
    mode: z.literal("stream_error"),
    after_chunks: z.number().int().min(0).default(1),
    message: z.string().optional(),
  }),
  /** Streams: send `after_chunks` content chunks, then close without the terminal event. */
  z.strictObject({ mode: z.literal("stream_truncate"), after_chunks: z.number().int().min(0).default(1) }),
  /** Streams: send `after_chunks` content chunks, then go silent with the connection open. */
  z.strictObject({ mode: z.literal("stream_stall"), after_chunks: z.number().int().min(0).default(1) }),
  /** 200 OK whose content a careful client must reject; stream and non-stream alike. */
  z.strictObject({ mode: z.literal("bad_output"), kind: badOutputKind }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;

export const providerSettingsSchema = z.strictObject({
  fault: faultSchema.optional(),
  /** Apply `fault` to the next N requests only, then answer normally again. */
  fault_count: z.number().int().positive().optional(),
  /** Added before every answer, in every mode but hang/reset. */
  latency_ms: z.number().int().min(0).optional(),
  /** Prompts estimated above this many tokens get the protocol's context-length error. */
  context_window: z.number().int().positive().optional(),
  /** A fixed text answer to every request, tool calls included: a model that says only this. */
  reply: z.string().optional(),
  /** Prompt tokens reported as served from the provider's cache (capped at the prompt size). */
  cached_input_tokens: z.number().int().min(0).optional(),
});

export type ProviderSettingsInput = z.input<typeof providerSettingsSchema>;

export interface ProviderSettings {
  fault: Fault;
  /** Requests left before `fault` reverts to ok; undefined = until changed. */
  faultRemaining?: number;
  latencyMs: number;
  contextWindow: number;
  reply?: string;
  cachedInputTokens: number;
}

export const defaultSettings = (): ProviderSettings => ({
  fault: { mode: "ok" },
  latencyMs: 0,
  contextWindow: 200_000,
  cachedInputTokens: 0,
});
