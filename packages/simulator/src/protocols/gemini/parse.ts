import { asArray, asRecord, BadRequest, type OutputFormat, type SimRequest, type SimTool, textOf } from "../types.ts";
import { validateContents } from "./validate.ts";

type Part = Record<string, unknown>;

/** A generateContent / streamGenerateContent body, normalised; the model and streaming come from the URL. */
export function parseGenerateContent(body: unknown, path: string, query: URLSearchParams): SimRequest {
  const b = asRecord(body);
  const model = /models\/([^/:]+):/.exec(path)?.[1];
  if (!model || !Array.isArray(b.contents)) {
    throw new BadRequest("* GenerateContentRequest.contents: contents is not specified\n");
  }
  const contents = b.contents.map(asRecord);
  validateContents(contents);

  const partsOf = (content: Record<string, unknown>): Part[] => asArray(content.parts).map(asRecord);
  const afterLastModel = contents.slice(contents.findLastIndex((content) => content.role === "model") + 1);
  const toolResults = afterLastModel
    .flatMap(partsOf)
    .filter((part) => part.functionResponse)
    .map((part) => responseText(asRecord(part.functionResponse).response));
  const media = contents
    .flatMap(partsOf)
    .filter((part) => part.inlineData || part.fileData)
    .map((part) => String(asRecord(part.inlineData ?? part.fileData).mimeType ?? ""));
  const images = media.filter((mimeType) => mimeType.startsWith("image/")).length;
  const system = textOf(asRecord(b.systemInstruction).parts);
  const config = asRecord(b.generationConfig);
  const thinking = asRecord(config.thinkingConfig);
  const calling = asRecord(asRecord(b.toolConfig).functionCallingConfig);
  const allowed = asArray(calling.allowedFunctionNames);
  const tools = asArray(b.tools)
    .flatMap((tool) => asArray(asRecord(tool).functionDeclarations))
    .map(asRecord)
    .map((fn): SimTool => ({ name: String(fn.name), parameters: asRecord(fn.parametersJsonSchema ?? fn.parameters) }))
    .filter((tool) => allowed.length === 0 || allowed.includes(tool.name));

  return {
    model,
    prompt: [system, ...contents.map((content) => partsOf(content).map(partText).join(""))].join("\n"),
    lastUserText:
      contents
        .filter((content) => content.role !== "model")
        .map((content) => textOf(content.parts))
        .findLast((text) => text.length > 0) ?? "",
    system,
    stream: path.endsWith(":streamGenerateContent") || query.get("alt") === "sse",
    ...(typeof config.maxOutputTokens === "number" && { maxTokens: config.maxOutputTokens }),
    tools,
    toolChoice: calling.mode === "NONE" ? "none" : calling.mode === "ANY" ? "required" : "auto",
    parallelToolCalls: true,
    ...(toolResults.length > 0 && { toolResults }),
    images,
    documents: media.length - images,
    ...outputOf(config),
    ...((thinking.includeThoughts === true || Number(thinking.thinkingBudget) > 0) && {
      reasoning: { visible: thinking.includeThoughts === true },
    }),
    ...(config.responseLogprobs === true && {
      logprobs: { top: typeof config.logprobs === "number" ? config.logprobs : 0 },
    }),
    choices: typeof config.candidateCount === "number" && config.candidateCount > 1 ? config.candidateCount : 1,
    cacheControl: false,
  };
}

const partText = (part: Part): string =>
  typeof part.text === "string"
    ? part.text
    : part.functionResponse
      ? responseText(asRecord(part.functionResponse).response)
      : "";

/** A response that is one string field (`{output: "…"}`) reads as that string; anything else as its JSON. */
function responseText(response: unknown): string {
  const values = Object.values(asRecord(response));
  return values.length === 1 && typeof values[0] === "string" ? values[0] : JSON.stringify(response ?? {});
}

function outputOf(config: Record<string, unknown>): { output?: OutputFormat } {
  if (config.responseMimeType !== "application/json") return {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  return { output: schema ? { type: "json_schema", schema: asRecord(schema) } : { type: "json_object" } };
}
