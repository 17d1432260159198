import { InvalidRequest } from "../canonical/invalid-request.ts";
import type { ToolChoice, ToolDefinition } from "../canonical/model.ts";
import type { ResponsesRequest } from "./request-schema.ts";
import { followsStrictRules } from "./strict-mode.ts";

/** Function tools as canonical tools; an omitted `strict` resolves the way the Responses API's does. */
export function toolsOf(tools: ResponsesRequest["tools"]): ToolDefinition[] {
  return (tools ?? []).map((tool) => {
    const parameters = tool.parameters ?? { type: "object", properties: {}, additionalProperties: false };
    return {
      name: tool.name,
      parameters,
      strict: tool.strict ?? followsStrictRules(parameters),
      ...(tool.description != null && { description: tool.description }),
    };
  });
}

export function toolChoiceOf(choice: ResponsesRequest["tool_choice"], tools: ToolDefinition[]): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  if (!tools.some((tool) => tool.name === choice.name)) {
    throw new InvalidRequest("tool_choice.name", `names "${choice.name}", which is not one of the offered tools`);
  }
  return { type: "tool", name: choice.name };
}
