import { randomBytes } from 'node:crypto';

export const OrderStatus = {
  Pending: 'pending',
  Paid: 'paid',
  Declined: 'declined',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export interface Order {
  id: string;
  item: string;
  amount: number;
  currency: string;
  status: OrderStatus;
  /** The facepay session paying for it. */
  session?: { id: string; clientSecret: string };
  /** The token id (jti) that paid it, kept as the charge's idempotency record. */
  paidWith?: string;
  /** What the shop would send to its card processor; here it only records the charge. */
  charges: Array<{ amount: number; currency: string; at: string }>;
}

export const PRODUCT = {
  item: 'Souvenir stamp "Smile to Pay", 2026',
  amount: 1299,
  currency: 'EUR',
} as const;

/**
 * The demo's one signed-in shopper. A real shop has accounts; facepay only ever sees the
 * customer id, never a name or an email.
 */
export interface Shopper {
  customer: string;
  name: string;
  /** Set once an enrolment token was verified; cleared when the shopper removes their face. */
  faceEnrolled: boolean;
  /** The current enrolment session, when the account page offers one. */
  enrolment?: { id: string; clientSecret: string; reference: string };
}

/** The demo keeps orders in memory: a real shop has its own order database. */
export class OrderBook {
  readonly #orders = new Map<string, Order>();

  create(): Order {
    const order: Order = { id: `order_${randomBytes(6).toString('hex')}`, ...PRODUCT, status: OrderStatus.Pending, charges: [] };
    this.#orders.set(order.id, order);
    return order;
  }

  get(id: string): Order | undefined {
    return this.#orders.get(id);
  }
}
