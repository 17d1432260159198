const hidden = "[redacted]";

/**
 * A value that must never be logged, serialised or returned. Every accidental
 * path (template strings, JSON.stringify, util.inspect) prints "[redacted]";
 * only `reveal()` gives the value, so each use is greppable.
 */
export class Secret {
  readonly #value: string;

  constructor(
    value: string,
    /** Where it came from, safe to show: "env:OPENAI_API_KEY". */
    readonly source: string,
  ) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return hidden;
  }

  toJSON(): string {
    return hidden;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${this.source})`;
  }
}
