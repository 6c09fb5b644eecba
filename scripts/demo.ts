// `pnpm start`: the facepay server and the demo shop on localhost, embedded defaults
// (SQLite and keys in .facepay-data/, a demo merchant for the shop), nothing to configure.
// PORT (shop, default 5173) and FACEPAY_PORT (default 8787) may be 0 for free ports;
// the printed URLs are always the real ones.
import { startShop } from '@facepay/example-demo-shop';
import { startServer } from '@facepay/server';

const shop = await startShop({ port: Number(process.env.PORT ?? 5173) });
const shopOrigin = new URL(shop.url);
const facepay = await startServer({
  port: Number(process.env.FACEPAY_PORT ?? 8787),
  demoMerchant: {
    name: 'Smile Stamps (demo shop)',
    origins: [shopOrigin.origin, `${shopOrigin.protocol}//127.0.0.1:${shopOrigin.port}`],
  },
});
const merchant = facepay.merchant!;
shop.connect({ facepayUrl: facepay.url, issuer: facepay.issuer, merchantId: merchant.id, secretKey: merchant.secret_key });

console.log(`facepay server: ${facepay.url}`);
console.log(`facepay demo shop: ${shop.url}`);
console.log('Open the shop in Chrome, Edge or Firefox, buy the stamp, allow the camera and follow the prompts. Ctrl-C stops.');

const stop = async (): Promise<void> => {
  await shop.close();
  await facepay.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
