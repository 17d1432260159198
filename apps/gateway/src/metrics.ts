/**
 * Prometheus counters for the request path, kept as plain numbers: an
 * increment is a Map update, never I/O. Gauges (breaker state, windows) are
 * read from the breaker view when /metrics is scraped.
 */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, labels: Record<string, string>, by = 1): void {
    const key = `${name}{${Object.entries(labels)
      .map(([label, value]) => `${label}="${escapeLabel(value)}"`)
      .join(",")}}`;
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** Lines of the exposition format, grouped by metric name. */
  lines(help: Record<string, string>): string[] {
    const byName = new Map<string, string[]>();
    for (const [key, value] of [...this.values].sort()) {
      const name = key.slice(0, key.indexOf("{"));
      const list = byName.get(name) ?? [];
      list.push(`${key} ${value}`);
      byName.set(name, list);
    }
    return [...byName].flatMap(([name, samples]) => [
      `# HELP ${name} ${help[name] ?? name}`,
      `# TYPE ${name} counter`,
      ...samples,
    ]);
  }
}

export const escapeLabel = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
