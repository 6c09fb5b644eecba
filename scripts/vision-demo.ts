// `pnpm demo:vision`: the vision worker demo (camera, face outline, head pose and
// blendshapes from the worker), served with the built packages on localhost.
import { startRepoServer } from '@facepay/testkit';

const server = await startRepoServer({ port: Number(process.env.PORT ?? 5174), host: '127.0.0.1' });
console.log(`facepay vision demo: ${server.url.replace('127.0.0.1', 'localhost')}/examples/vision-demo/`);
const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
