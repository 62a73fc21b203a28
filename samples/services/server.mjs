// The samples' services, as a tiny runnable target: `node samples/services/server.mjs`.
// Orders (request-agent.yaml) on 127.0.0.1:8081, payments (hitl-agent.yaml) on 127.0.0.1:8082 — the addresses in
// the samples' values files. No dependencies; each request is logged with its Idempotency-Key.
import { createServer } from "node:http";

const orders = {
  "A-1001": { orderId: "A-1001", status: "shipped", carrier: "DHL", eta: "tomorrow" },
  "A-1002": { orderId: "A-1002", status: "processing", eta: "in 3 days" },
};

function readJson(req) {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; if (body.length > 65536) req.destroy(); });
    req.on("end", () => { try { resolve(JSON.parse(body || "{}")); } catch { resolve(null); } });
  });
}

function serve(name, port, routes) {
  createServer(async (req, res) => {
    const route = routes[`${req.method} ${req.url}`];
    const body = route ? await readJson(req) : null;
    const [status, answer] = route
      ? (body === null ? [400, { error: "the body is not JSON" }] : route(body))
      : [404, { error: `no route ${req.method} ${req.url}` }];
    console.log(`${name} ${req.method} ${req.url} -> ${status} (Idempotency-Key: ${req.headers["idempotency-key"] ?? "-"})`);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  }).listen(port, "127.0.0.1", () => console.log(`${name} listening on http://127.0.0.1:${port}`));
}

serve("orders", Number(process.env.ORDERS_PORT ?? 8081), {
  "POST /orders/lookup": (b) => orders[b.orderId] ? [200, orders[b.orderId]] : [404, { error: `no order ${b.orderId}` }],
});

let refunds = 0;
serve("payments", Number(process.env.PAYMENTS_PORT ?? 8082), {
  "POST /refunds": (b) => [200, { refundId: `R-${++refunds}`, amount: b.amount ?? null, status: "refunded" }],
});
