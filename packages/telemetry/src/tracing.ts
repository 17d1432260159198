import { type Attributes, context, propagation, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";

/** Every span Breakwater makes comes from this tracer; a no-op one until startTracing registers a provider. */
export const tracer = () => trace.getTracer("breakwater");

/**
 * Whether a provider is registered: the request path skips even the no-op
 * span work (header extraction, async context) when it is not. Process-wide,
 * like OpenTelemetry's own global provider.
 */
let enabled = false;
export const tracingEnabled = () => enabled;

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set — then spans go to that
 * collector over OTLP/HTTP, batched, with the exporter's standard env
 * settings. Off, the API's no-op tracer makes every span call free. `exporter`
 * (tests: the SDK's InMemorySpanExporter) turns it on with that exporter,
 * synchronously. Registers the W3C trace-context propagator, so an incoming
 * `traceparent` is honoured.
 */
export function startTracing(options: {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  exporter?: SpanExporter;
}): Tracing | undefined {
  const env = options.env ?? process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!options.exporter && !endpoint) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? options.serviceName }),
    spanProcessors: [
      options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
  });
  provider.register();
  enabled = true;
  return {
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
    },
  };
}

/** The request's trace context from its headers (`traceparent`, `tracestate`), or the active one. */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>) {
  return propagation.extract(context.active(), headers);
}

/** The active span as a `traceparent` header value (for a job to link back to its request); undefined when not tracing. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A span linked to the trace a `traceparent` names (a judge job to the request it samples). */
export function startLinkedSpan(name: string, traceparent: string | undefined, attributes: Attributes): Span {
  const linked = traceparent ? trace.getSpanContext(propagation.extract(context.active(), { traceparent })) : undefined;
  return tracer().startSpan(name, {
    kind: SpanKind.CONSUMER,
    attributes,
    ...(linked && { links: [{ context: linked }] }),
  });
}

/** Ends a span as failed, with the error's class (never its message: an upstream's text may quote keys). */
export function endFailed(span: Span, errorType: string): void {
  span.setAttribute("error.type", errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
  span.end();
}

export { context as traceContext, type Span, SpanKind, trace };
