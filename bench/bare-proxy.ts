import { createServer } from "node:http";
import { Agent, request } from "undici";

/**
 * The floor for the proxy benchmark: the cheapest possible pass-through on this
 * machine — node:http in, undici.request out, no framework, no SDK, no parsing.
 * What the gateway adds above this is Breakwater's own cost; what this adds
 * above the direct call is the price of any extra HTTP hop here.
 */
const upstream = process.env.UPSTREAM_URL as string;
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const response = await request(upstream, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: Buffer.concat(chunks),
    dispatcher: agent,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  res.writeHead(response.statusCode, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
