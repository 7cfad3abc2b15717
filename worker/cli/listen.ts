/** Starting a listener, with the usual ways it fails said in one line instead of a stack trace. */
import { UsageError } from '../errors.js';

interface Listener {
  listen(options: { host: string; port: number }): Promise<string>;
}

export async function listenOrExplain(
  server: Listener,
  host: string,
  port: number,
  setting: string,
): Promise<string> {
  try {
    return await server.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `${where} is already in use (another rapport serve?); choose a free port with ${setting}`,
      );
    }
    if (code === 'EACCES')
      throw new UsageError(`not allowed to listen on ${where}; use a port above 1023 (${setting})`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`${host} is not an address of this machine; check the host setting`);
    }
    throw error;
  }
}
