import type { AttemptFailure } from "@breakwater/core";

/** Thrown by adapters and attempts: a failure already classified into the taxonomy. */
export class ProviderError extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.message);
    this.name = "ProviderError";
  }
}

/** The abort reason Breakwater uses for its own timeouts, so they classify as transport, not caller. */
export class AttemptTimeout extends Error {
  constructor(
    readonly phase: "response" | "first_byte" | "stream_idle",
    readonly afterMs: number,
  ) {
    super(`${phase.replace("_", "-")} timeout after ${afterMs} ms`);
    this.name = "AttemptTimeout";
  }
}

/** The abort reason when the client went away. */
export class CallerGone extends Error {
  constructor() {
    super("the client closed the request");
    this.name = "CallerGone";
  }
}
