import { createServer, type Server } from 'node:net';

/** A TCP server on 127.0.0.1 that counts and drops every connection: an escape would show as a count above 0. */
export interface CountingServer {
  /** Its port. */
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link CountingServer} on a free port. */
export async function startCountingServer(): Promise<CountingServer> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
