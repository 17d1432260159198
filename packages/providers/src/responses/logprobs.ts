import type OpenAI from "openai";

export type Logprob = OpenAI.Responses.ResponseOutputText.Logprob;

/** Token logprobs in the canonical (Chat Completions) shape, as the Responses API writes them. */
export function responsesLogprobs(entries: readonly unknown[]): Logprob[] {
  return (entries as OpenAI.Chat.Completions.ChatCompletionTokenLogprob[]).map((entry) => ({
    token: entry.token,
    bytes: entry.bytes ?? [],
    logprob: entry.logprob,
    top_logprobs: (entry.top_logprobs ?? []).map((top) => ({
      token: top.token,
      bytes: top.bytes ?? [],
      logprob: top.logprob,
    })),
  }));
}

/** The token logprobs of a choice's logprobs object (Chat Completions' `{content, refusal}`, verbatim). */
export const choiceTokenLogprobs = (logprobs: unknown): unknown[] =>
  (logprobs as OpenAI.Chat.Completions.ChatCompletion.Choice.Logprobs | undefined)?.content ?? [];
