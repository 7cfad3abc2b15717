/** Serves an embedded PGlite database on a loopback Postgres socket, so the pg driver and migrations work. */
type PGliteInstance = Awaited<ReturnType<typeof import('@electric-sql/pglite').PGlite.create>>;

export interface LoopbackServer {
  url: string;
  stop(): Promise<void>;
}

export async function serveOnLoopback(db: PGliteInstance): Promise<LoopbackServer> {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    stop: () => server.stop(),
  };
}
