// SPEC.md's example A as a shop front-end writes it: checked by the compiler
// (tests/contract/test_typescript_client.py runs `tsc --noEmit`), not run.
import { AxokeyClient, type Schemas } from "./index";

export async function exampleA(
  merchant: AxokeyClient,
  courier: AxokeyClient,
  products: { p1: string; p2: string },
  courierId: string,
): Promise<Schemas["RedemptionOut"] | Schemas["Problem"]> {
  const created = await merchant.request("post", "/v1/orders", {
    idempotencyKey: "order-42",
    body: {
      currency: "EUR",
      payment_mode: "escrow",
      fulfilment: "delivery",
      customer: { email: "customer@example.com", name: "Camille" },
      courier_id: courierId,
      delivery_fee: 590,
      lines: [
        { product_id: products.p1, quantity: 2 },
        { product_id: products.p2, quantity: 1 },
      ],
    },
  });
  if (!created.ok) return created.problem;
  const order: Schemas["OrderOut"] = created.data;
  const total: number | null = order.amount_total; // 13589 (null: not yours to see)

  const checkout = await merchant.request("post", "/v1/orders/{order_id}/checkout", {
    path: { order_id: order.id },
    body: {},
  });
  if (!checkout.ok) return checkout.problem;
  const paymentUrl: string | null | undefined = checkout.data.checkout_url;

  const paid = await merchant.request("get", "/v1/orders/{order_id}", {
    path: { order_id: order.id },
  });
  if (!paid.ok || !paid.data.redemption) throw new Error(`not paid: ${total} ${paymentUrl}`);

  const redeemed = await courier.request("post", "/v1/redemptions", {
    body: {
      code: paid.data.redemption.qr_payload,
      lines: [{ line_id: order.lines[0].id }],
      complete: true,
    },
  });
  return redeemed.ok ? redeemed.data : redeemed.problem;
}

export async function refusedByTheCompiler(merchant: AxokeyClient): Promise<void> {
  await merchant.request("post", "/v1/orders", {
    body: {
      currency: "EUR",
      payment_mode: "escrow",
      fulfilment: "delivery",
      customer: { email: "customer@example.com" },
      // @ts-expect-error quantity is an integer, not a string
      lines: [{ product_id: "prd_x", quantity: "2" }],
    },
  });
  // @ts-expect-error no such path
  await merchant.request("get", "/v1/nothing");
}
