/**
 * Tells a request the provider refused from one the provider SDK refused
 * itself before sending anything (the Anthropic SDK's "streaming is required
 * for long requests" check, a Gemini parameter the SDK rejects, …). Each
 * attempt sends a marker header; the fetch under every SDK strips it and notes
 * that the attempt reached the network. An attempt that failed without
 * reaching it was refused locally: the request's fault (class client), never
 * the tier's.
 */
const MARKER_HEADER = "x-breakwater-attempt";

/** Ids of attempts whose request reached fetch and are not yet disposed. */
const reachedNetwork = new Set<string>();
let lastId = 0;

export class SendMarker {
  readonly id = String(++lastId);
  readonly headers: Record<string, string> = { [MARKER_HEADER]: this.id };

  get sent(): boolean {
    return reachedNetwork.has(this.id);
  }

  dispose(): void {
    reachedNetwork.delete(this.id);
  }
}

type HeadersInit = Headers | Record<string, string | readonly string[] | undefined> | Array<[string, string]>;

/** Wraps the fetch an SDK uses: strips the marker header and records that its attempt reached the network. */
export function markingFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const headers = init?.headers as HeadersInit | undefined;
    let id: string | null | undefined;
    let stripped: HeadersInit | undefined = headers;
    if (headers instanceof Headers) {
      id = headers.get(MARKER_HEADER);
      headers.delete(MARKER_HEADER);
    } else if (Array.isArray(headers)) {
      id = headers.find(([name]) => name.toLowerCase() === MARKER_HEADER)?.[1];
      stripped = headers.filter(([name]) => name.toLowerCase() !== MARKER_HEADER);
    } else if (headers && MARKER_HEADER in headers) {
      id = headers[MARKER_HEADER] as string;
      const { [MARKER_HEADER]: _marker, ...rest } = headers;
      stripped = rest;
    }
    if (id) reachedNetwork.add(id);
    return fetch(input, init && stripped !== headers ? { ...init, headers: stripped as RequestInit["headers"] } : init);
  }) as typeof globalThis.fetch;
}
