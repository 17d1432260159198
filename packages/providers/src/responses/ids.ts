/**
 * An output item's id, derived from the response id and the canonical block,
 * so the stream's events and the final Response object name each item alike.
 */
export function itemId(responseId: string, kind: "msg" | "rs" | "fc", block: number): string {
  return `${kind}_${responseId.replace(/^resp_/, "")}_${block}`;
}
