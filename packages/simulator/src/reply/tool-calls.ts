import type { SimRequest, SimTool } from "../protocols/types.ts";

/**
 * The tools a well-behaved model calls: none once results are back or when told
 * not to; the named tool when forced; else every tool the user mentions by name
 * (just the first when parallel calls are off); else, when a call is required,
 * the first tool. Unmentioned tools under `auto` get a plain text answer.
 */
export function toolsToCall(request: SimRequest): SimTool[] {
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice === "none" || request.toolResults) return [];
  if (typeof toolChoice === "object") {
    return [tools.find((tool) => tool.name === toolChoice.name) ?? { name: toolChoice.name, parameters: {} }];
  }
  const said = request.lastUserText.toLowerCase();
  const mentioned = tools.filter((tool) => said.includes(tool.name.toLowerCase()));
  if (mentioned.length > 0) return request.parallelToolCalls ? mentioned : mentioned.slice(0, 1);
  return toolChoice === "required" ? tools.slice(0, 1) : [];
}
