import type { WireProtocol } from "./model.ts";

/**
 * Reasoning signatures (Anthropic's thinking signatures, Gemini's thought
 * signatures) are opaque, and only the provider that issued one can verify it:
 * Anthropic answers a Gemini signature with a 400. A conversation that moved
 * between tiers carries both kinds, so each signature travels with its issuer.
 *
 * Clients hand signatures back verbatim. One issued by the client's own
 * provider goes out untouched (an Anthropic client keeps Anthropic's
 * signatures as they are, usable without Breakwater too); any other is
 * tagged `bw:<issuer>:` so its issuer is known when it comes back.
 */
const tagged = /^bw:(openai|anthropic|gemini):/;

/** The signature to give a client whose own protocol is `clientProtocol`. */
export function signatureForClient(
  signature: string,
  signedBy: WireProtocol,
  clientProtocol: WireProtocol | "none",
): string {
  return signedBy === clientProtocol ? signature : `bw:${signedBy}:${signature}`;
}

/** A signature a client sent back, and who issued it (the client's own provider unless tagged). */
export function signatureFromClient(
  value: string,
  clientProtocol: WireProtocol | "none",
): { signature: string; signedBy?: WireProtocol } {
  const tag = tagged.exec(value);
  if (tag) return { signature: value.slice(tag[0].length), signedBy: tag[1] as WireProtocol };
  return clientProtocol === "none" ? { signature: value } : { signature: value, signedBy: clientProtocol };
}

/** The signature a tier of `protocol` may be sent: its own, or none. */
export const signatureFor = (part: { signature?: string; signedBy?: WireProtocol }, protocol: WireProtocol) =>
  part.signature !== undefined && part.signedBy === protocol ? part.signature : undefined;
