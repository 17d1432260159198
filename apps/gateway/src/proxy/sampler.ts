import type { BreakerEngine } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import { type Clock, isSampled, judgeSampleRate } from "@breakwater/core";
import { answerTextOf, transcriptOf } from "@breakwater/judge";
import type { ChatRequest, ChatResponse } from "@breakwater/providers";
import type { JudgeJob, Producer } from "@breakwater/queue";
import { currentTraceparent, type Logger, tracingEnabled } from "@breakwater/telemetry";

/** Which answer, and who answered it; decided by `Sampler.decide`, then enqueued. */
export interface SampleOf {
  requestId: string;
  route?: string;
  tier: string;
  /** Reported by an app through POST /v1/outcomes rather than proxied. */
  sidecar?: boolean;
  /** The request's span when tracing (W3C traceparent; default: the active one): the judging span links back to it. */
  traceparent?: string;
}

export interface Sample extends SampleOf {
  reason: JudgeJob["sampleReason"];
  /** The breaker generation the answering tier was admitted under. */
  generation: number;
  /** Proxied: the request and the answer, rendered for the judge only once sampled. Sidecar: their text. */
  request: ChatRequest | string;
  response: ChatResponse | string;
}

/**
 * Decides which answers go to the judges (a hash of the request id against the
 * tier's current rate: base, escalated while recent verdicts dip, or all of
 * them on probation) and enqueues them without waiting: the response never
 * waits on the queue.
 */
export class Sampler {
  /** Enqueues not yet acknowledged; bounded so a queue outage cannot grow memory without limit. */
  private pending = 0;
  private static readonly maxPending = 1_000;

  constructor(
    private readonly config: Config,
    private readonly breakers: BreakerEngine,
    /** Undefined when no judges are configured: nothing is sampled. */
    private readonly producer: Producer<"judge"> | undefined,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /**
   * Whether this answer is judged, and why; undefined when it is not. Cheap (a
   * hash and two map reads), so callers build the sample's text only for the
   * few that are.
   */
  decide(of: SampleOf): JudgeJob["sampleReason"] | undefined {
    if (!this.producer || this.pending >= Sampler.maxPending) return undefined; // no judges, or the queue is not keeping up
    const { judge, breaker } = this.config;
    const record = this.breakers.view.get(of.tier);
    const baseRate = (of.route ? this.config.routes.get(of.route)?.sampleRate : undefined) ?? judge.sampleRate;
    const state = record.mode === "auto" ? record.state : "closed";
    const rate = judgeSampleRate({
      baseRate,
      escalatedRate: judge.escalatedSampleRate,
      judgeThreshold: breaker.judge_threshold,
      state,
      recent: this.breakers.view.lastObserved(of.tier)?.signals.qualityShort,
      lowVerdictEvidence: this.breakers.lowVerdictEvidence(of.tier),
    });
    if (!isSampled(of.requestId, rate)) return undefined;
    return state !== "closed" ? "probation" : rate > baseRate ? "escalated" : of.sidecar ? "sidecar" : "sampled";
  }

  /** Sends a decided sample to the judges without waiting: the response never waits on the queue. */
  enqueue(sample: Sample): void {
    if (!this.producer) return;
    const cap = this.config.judge.maxSampleChars;
    const traceparent = sample.traceparent ?? (tracingEnabled() ? currentTraceparent() : undefined);
    const prompt =
      typeof sample.request === "string"
        ? { text: sample.request, chars: sample.request.length }
        : transcriptOf(sample.request, cap);
    const answer = typeof sample.response === "string" ? sample.response : answerTextOf(sample.response);
    const job: JudgeJob = {
      requestId: sample.requestId,
      ...(sample.route && { route: sample.route }),
      tier: sample.tier,
      generation: sample.generation,
      sampleReason: sample.reason,
      prompt: prompt.text.slice(0, cap),
      answer: answer.slice(0, cap),
      promptChars: prompt.chars,
      answerChars: answer.length,
      sampledAt: this.clock(),
      ...(traceparent && { traceparent }),
    };
    this.pending++;
    this.producer
      .add(job, sample.requestId)
      .catch((error: unknown) => {
        this.logger.warn("could not enqueue a judge sample; it is skipped", {
          tier: sample.tier,
          error: String(error),
        });
      })
      .finally(() => {
        this.pending--;
      });
  }
}
