import type { AssistantPart, ChatRequest, ChatResponse, UserPart } from "@breakwater/providers";

/**
 * The sample as a judge reads it: plain text in which tool calls show their
 * name and arguments, tool results and attachments are marked, and the
 * requested output format (a JSON schema, the tools offered) comes first, so
 * the judge can tell a right call or a well-formed structured answer from a
 * wrong one. Cut to `maxChars` so the judge always sees the latest turns: the
 * format takes at most a quarter, and a long conversation loses its start.
 * `chars` is the uncut length.
 */
export function transcriptOf(request: ChatRequest, maxChars: number): { text: string; chars: number } {
  const format: string[] = [];
  const responseFormat = request.responseFormat;
  if (responseFormat?.type === "json_schema") {
    format.push(`[the answer must be JSON matching this schema: ${JSON.stringify(responseFormat.schema)}]`);
  } else if (responseFormat?.type === "json_object") {
    format.push("[the answer must be a JSON object]");
  }
  if (request.tools?.length) {
    const tools = request.tools.map(
      (tool) => `${tool.name}${tool.description ? ` — ${tool.description}` : ""}: ${JSON.stringify(tool.parameters)}`,
    );
    format.push(`[tools offered]\n${tools.join("\n")}`);
  }
  const turns: string[] = [];
  const system = request.system.map((part) => part.text).join("\n");
  if (system) turns.push(`system: ${system}`);
  for (const message of request.messages) {
    const text =
      message.role === "user"
        ? message.content.map(userPartText).join("")
        : message.content.map(assistantPartText).join("");
    if (text) turns.push(`${message.role}: ${text}`);
  }
  const head = format.join("\n\n");
  const body = turns.join("\n\n");
  const chars = head.length + body.length + (head && body ? 2 : 0);
  const headCut = cutEnd(head, Math.floor(maxChars / 4));
  const bodyCut = cutStart(body, maxChars - headCut.length - 2);
  return { text: [headCut, bodyCut].filter(Boolean).join("\n\n"), chars };
}

const cutEnd = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 12))} [… cut …]`;
const cutStart = (text: string, max: number) =>
  text.length <= max ? text : `[… earlier conversation cut …] ${text.slice(text.length - Math.max(0, max - 32))}`;

/** The answer's first choice as text: its text, and each tool call as `[tool call] name({...})`. */
export function answerTextOf(response: Pick<ChatResponse, "choices">): string {
  return (response.choices[0]?.content ?? []).map(assistantPartText).join("");
}

function userPartText(part: UserPart): string {
  switch (part.type) {
    case "text":
      return part.text;
    case "image":
      return "[image]";
    case "document":
      return `[document${part.filename ? `: ${part.filename}` : part.title ? `: ${part.title}` : ""}]`;
    case "tool_result":
      return `\n[tool result${part.isError ? " (error)" : ""}] ${part.content.map(userPartText).join("")}\n`;
  }
}

function assistantPartText(part: AssistantPart): string {
  switch (part.type) {
    case "text":
      return part.text;
    case "tool_call":
      return `\n[tool call] ${part.name}(${part.arguments})\n`;
    case "refusal":
      return `[refusal] ${part.text}`;
    case "reasoning":
    case "redacted_reasoning":
      // The judge grades the answer, not how the model got there.
      return "";
  }
}
