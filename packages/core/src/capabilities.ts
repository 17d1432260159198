/**
 * What a tier must be able to do to serve a request. A tier that lacks one is
 * skipped for that request (a skip, never a failure); a route none of whose
 * tiers can serve it answers 400 naming the feature.
 */
export const FEATURES = [
  "tools",
  "vision",
  "pdf",
  "document_url",
  "json_schema",
  "reasoning",
  "logprobs",
  "n",
  "logit_bias",
  "sampling",
  "top_k",
  "penalties",
] as const;

export type Feature = (typeof FEATURES)[number];

export type Capabilities = Readonly<Record<Feature, boolean>>;

/**
 * What each provider's API can do; a tier's `capabilities` overrides any of
 * them. Anthropic's sampling and top_k are off: Claude models after Opus 4.6
 * refuse anything but their defaults (API version 2026-10-21 dropped the
 * parameters from its types); turn them on for a tier serving an older model.
 */
export const DEFAULT_CAPABILITIES: Readonly<
  Record<"anthropic" | "openai" | "gemini" | "openai_compatible", Capabilities>
> = {
  anthropic: {
    tools: true,
    vision: true,
    pdf: true,
    document_url: true,
    json_schema: true,
    reasoning: true,
    logprobs: false,
    n: false,
    logit_bias: false,
    sampling: false,
    top_k: false,
    penalties: false,
  },
  openai: {
    tools: true,
    vision: true,
    pdf: true,
    document_url: false,
    json_schema: true,
    reasoning: true,
    logprobs: true,
    n: true,
    logit_bias: true,
    sampling: true,
    top_k: false,
    penalties: true,
  },
  gemini: {
    tools: true,
    vision: true,
    pdf: true,
    document_url: true,
    json_schema: true,
    reasoning: true,
    logprobs: true,
    n: true,
    logit_bias: false,
    sampling: true,
    top_k: true,
    penalties: true,
  },
  // Local servers (vLLM, llama.cpp, Ollama) vary: assume text, tools and JSON, and let the config add more.
  openai_compatible: {
    tools: true,
    vision: false,
    pdf: false,
    document_url: false,
    json_schema: true,
    reasoning: false,
    logprobs: true,
    n: false,
    logit_bias: false,
    sampling: true,
    top_k: true,
    penalties: true,
  },
};

/** Why a request needs each feature, for the 400 that names it. */
export const FEATURE_REASONS: Readonly<Record<Feature, string>> = {
  tools: "the request offers tools or carries tool calls",
  vision: "the request contains images",
  pdf: "the request contains documents",
  document_url: "the request refers to a document by URL",
  json_schema: "the request asks for JSON output (response_format)",
  reasoning: "the request asks for reasoning (reasoning_effort / thinking)",
  logprobs: "the request asks for logprobs",
  n: "the request asks for more than one choice (n > 1)",
  logit_bias: "the request sets logit_bias",
  sampling: "the request sets temperature or top_p",
  top_k: "the request sets top_k",
  penalties: "the request sets frequency_penalty or presence_penalty",
};

/**
 * Features each provider's adapter has a way to send at all. A tier may turn
 * any default off (a model that cannot see, say), but only these on: turning
 * on, for a Gemini tier, logit_bias — which the Gemini API has no field for —
 * would drop it silently.
 */
export const CARRIABLE: Readonly<Record<keyof typeof DEFAULT_CAPABILITIES, readonly Feature[]>> = {
  anthropic: ["tools", "vision", "pdf", "document_url", "json_schema", "reasoning", "sampling", "top_k"],
  openai: FEATURES.filter((feature) => feature !== "top_k"),
  gemini: FEATURES.filter((feature) => feature !== "logit_bias"),
  openai_compatible: FEATURES,
};
