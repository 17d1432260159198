/**
 * A request that validated field by field but cannot be served as asked (a
 * tool_choice naming a tool that is not offered, a stateful feature on a
 * stateless gateway, …). The gateway answers 400 in the client's error shape.
 */
export class InvalidRequest extends Error {
  constructor(
    /** The offending field, dotted (`messages.3.tool_call_id`). */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "InvalidRequest";
  }
}
