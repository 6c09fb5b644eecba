// `pnpm start`: serves the built packages and the examples on localhost and prints the URL.
import { startRepoServer } from '@facepay/testkit';

// PORT=0 picks a free port (the tests use it); the printed URL is always the real one.
const port = Number(process.env.PORT ?? 5173);
const server = await startRepoServer({ port, host: '127.0.0.1' });
const url = `${server.url.replace('127.0.0.1', 'localhost')}/examples/vision-demo/`;
console.log(`facepay demo: ${url}`);
console.log('Open it in Chrome or Edge, allow the camera, and turn your head. Ctrl-C stops.');
const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
