import type { ServerResponse } from "node:http";
import type { Fault } from "./faults.ts";
import type { Protocol, StreamPlan } from "./protocols/types.ts";

/**
 * Writes a stream, honouring the stream faults: after `after_chunks` content
 * frames it sends the in-stream error, just stops, or goes silent.
 */
export function writeStream(res: ServerResponse, plan: StreamPlan, fault: Fault, protocol: Protocol): void {
  const cutAfter = "after_chunks" in fault ? fault.after_chunks : Number.POSITIVE_INFINITY;
  let sent = 0;
  for (const frame of plan.body) {
    if (frame.content && sent++ >= cutAfter) break;
    res.write(frame.data);
  }
  if (fault.mode === "stream_error") {
    const message = fault.message ?? "Internal server error during generation";
    res.end(protocol.streamError({ status: 500, kind: undefined, message }));
  } else if (fault.mode === "stream_truncate") {
    res.end();
  } else if (fault.mode === "stream_stall") {
    // leave the stream open and silent; the client's idle timeout must notice
  } else {
    for (const frame of plan.close) res.write(frame);
    res.end();
  }
}
