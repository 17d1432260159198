export { createLogger, type Logger, type LogLevel, silentLogger } from "./logger.ts";
export { Metrics } from "./metrics.ts";
export {
  currentTraceparent,
  endFailed,
  extractTraceContext,
  type Span,
  SpanKind,
  startLinkedSpan,
  startTracing,
  type Tracing,
  trace,
  traceContext,
  tracer,
  tracingEnabled,
} from "./tracing.ts";
