import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds: a cached answer's milliseconds up to a long stream's two minutes. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

/**
 * Every metric a Breakwater process exports, defined once (prom-client): the
 * request path only increments and observes in memory — never I/O; gauges of
 * state (breaker, windows, queue depth) are read when /metrics is scraped,
 * through `gauge`. Node's process metrics (CPU, memory, event-loop lag, GC)
 * come with it.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = this.counter(
    "breakwater_requests_total",
    "Proxied requests by route and how they were answered (rung: tier, canned, or error).",
    ["route", "rung"],
  );
  readonly attempts = this.counter(
    "breakwater_attempts_total",
    "Attempts against each tier by result (ok, or the error class; hedged_loser for the slower of a hedged pair).",
    ["tier", "result"],
  );
  readonly skips = this.counter(
    "breakwater_tier_skips_total",
    "Tiers passed over because they cannot serve the request (reason: the missing capability, or protocol for fields only another protocol carries). Never failures.",
    ["tier", "reason"],
  );
  readonly hedges = this.counter(
    "breakwater_hedges_total",
    "Hedged requests by route and which attempt answered first (original, hedge, or neither).",
    ["route", "winner"],
  );
  readonly continuations = this.counter(
    "breakwater_stream_continuations_total",
    "Streams that broke after their first byte and were continued on another tier (result: continued), or could not be (failed: the client got the in-stream error).",
    ["route", "result"],
  );
  readonly screenFlagged = this.counter(
    "breakwater_screen_flagged_total",
    "Answers the screen flagged as garbled (replacement or control characters, symbol or script soup, a repetition loop), by tier; they feed the breaker's screen signal and are judged.",
    ["tier"],
  );
  readonly cooldowns = this.counter(
    "breakwater_tier_cooldowns_total",
    "Rate-limit cool-downs this process started or lengthened on a tier (a 429, or a 503/529 with retry-after); the tier is passed over until the cool-down ends.",
    ["tier"],
  );
  readonly rateLimited = this.counter(
    "breakwater_rate_limited_total",
    "Requests and outcome batches refused with 429 by a key's rate limit (key: the key's env name).",
    ["key"],
  );
  readonly connectionsRejected = this.counter(
    "breakwater_connections_rejected_total",
    "Client connections the HTTP server turned away (reason: max_connections, per_ip_limit, timeout for slow headers or body, headers_too_large, bad_request).",
    ["reason"],
  );
  readonly requestDuration = new Histogram({
    name: "breakwater_request_duration_seconds",
    help: "Proxied requests from arrival to the answer's end (a stream's last event), by route and the tier that answered (none: canned or failed).",
    labelNames: ["route", "tier"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: "breakwater_time_to_first_token_seconds",
    help: "Streamed requests from arrival to their first content event, by route and the tier that sent it.",
    labelNames: ["route", "tier"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly judgements = this.counter(
    "breakwater_judgements_total",
    "Judged samples by the judged tier and result (status: scored, or judge_failed when no judge gave a usable verdict).",
    ["tier", "status"],
  );
  readonly judgeDuration = new Histogram({
    name: "breakwater_judge_duration_seconds",
    help: "Calls to a judge model, by judge name and result (ok, or failed: an error or an unusable verdict).",
    labelNames: ["judge", "result"],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly canaryRuns = this.counter(
    "breakwater_canary_runs_total",
    "Known-answer canaries sent to a tier, by whether its answer was right (passed: true or false; a tier that did not answer is false).",
    ["tier", "passed"],
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge read when /metrics is scraped: `read` sets its values (it may be async, e.g. a queue's depth). */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (gauge: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read(this);
      },
    });
  }

  /** The judge queue's depth, read when scraped (a store read: never on the request path). */
  trackJudgeQueue(depth: () => Promise<{ waiting: number; active: number }>): void {
    this.gauge(
      "breakwater_judge_queue_depth",
      "Judge jobs not yet done (state: waiting, retries and delays included, or active); read from the queue when scraped.",
      ["state"],
      async (g) => {
        try {
          const { waiting, active } = await depth();
          g.set({ state: "waiting" }, waiting);
          g.set({ state: "active" }, active);
        } catch {
          // The queue's store is down: no figure, rather than a scrape that fails as a whole.
        }
      },
    );
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }
}
