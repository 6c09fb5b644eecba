export { startShop } from './shop.js';
export type { FacePayAccount, Shop, ShopOptions } from './shop.js';
export { OrderBook, OrderStatus, PRODUCT } from './orders.js';
export type { Order } from './orders.js';
