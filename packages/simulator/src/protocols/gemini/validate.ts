import { asArray, asRecord, BadRequest } from "../types.ts";

/** The structural rules generateContent enforces, with its error texts. */
export function validateContents(contents: Array<Record<string, unknown>>): void {
  contents.forEach((content, index) => {
    if (content.role !== undefined && content.role !== "user" && content.role !== "model") {
      throw new BadRequest("Please use a valid role: user, model.");
    }
    asArray(content.parts).forEach((part, position) => {
      const response = asRecord(part).functionResponse;
      if (response !== undefined && !asRecord(response).name) {
        throw new BadRequest(
          `* GenerateContentRequest.contents[${index}].parts[${position}].function_response.name: Name cannot be empty.\n`,
        );
      }
    });
  });
}
