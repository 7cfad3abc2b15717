/**
 * `rapport mcp --user EMAIL`: an MCP server on stdin/stdout for a local AI assistant, answering about one
 * user until the assistant closes stdin (or SIGINT/SIGTERM). stdout carries nothing but the protocol: logs
 * go to stderr like every command's. The SDK is loaded only here, so `rapport --help` never loads it.
 */
import { z } from 'zod';
import type { App } from '../../app.js';
import { requireUser } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';

export async function mcpCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(z.object({ user: userEmail }), raw);
  const prisma = app.db.prisma;
  const user = await requireUser(prisma, flags.user);
  const [{ createMcpServer }, { sharedEnsureRun }, { StdioServerTransport }] = await Promise.all([
    import('../../mcp/tools.js'),
    import('../../mcp/run-for.js'),
    import('@modelcontextprotocol/sdk/server/stdio.js'),
  ]);
  const ensure = sharedEnsureRun(prisma);
  const logger = app.logger.child({ component: 'mcp' });
  const server = createMcpServer({ prisma, user, logger, runFor: (asOf) => ensure(user, asOf) });
  const done = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.connect(new StdioServerTransport());
  logger.info({ userId: user.id }, 'MCP server on stdio');
  await done;
  await server.close();
}
