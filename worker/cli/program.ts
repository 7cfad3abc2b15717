/** The command tree. Each action lives in its own module under cli/commands/. */
import { Command, Option } from 'commander';
import type { AskTextKind } from '../analysis/ask-classifier.js';
import type { App } from '../app.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';

/**
 * Opens the app for one command and always closes it (the embedded database must shut down cleanly).
 * The app and the command's module are loaded only when the command runs: `rapport --help` loads
 * neither the database client nor any provider SDK, and `people` never loads the HTTP server.
 */
function withApp<T>(
  command: () => Promise<(app: App, options: T) => Promise<void>>,
  { service = false }: { service?: boolean } = {},
) {
  return async (options: T) => {
    const config = loadConfig();
    // A one-shot command speaks for itself on stdout; its logs stay quiet unless asked (LOG_LEVEL).
    const level = config.LOG_LEVEL ?? (service ? 'info' : 'warn');
    // The database opens while the command's modules load: the two overlap.
    const opening = Promise.all([import('../app.js'), import('../logger.js')]).then(
      ([{ openApp }, { createLogger }]) => openApp(config, createLogger(level)),
    );
    const run = await command().catch(async (error) => {
      await opening.then((app) => app.close()).catch(() => {});
      throw error;
    });
    const app = await opening;
    try {
      await run(app, options);
    } finally {
      await app.close();
    }
  };
}

const accounts = () => import('./commands/accounts.js');
const relationships = () => import('./commands/relationships.js');

export function buildProgram(): Command {
  const program = new Command('rapport')
    .description('Relationship health from mailbox and calendar metadata.')
    .exitOverride()
    .showHelpAfterError('(run rapport --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // Fail on a bad environment before any command does work.
    .hook('preAction', () => {
      loadConfig();
    });

  const user = () => new Option('--user <email>', 'whose data (the account owner)').makeOptionMandatory();
  const asOfOpt = () => new Option('--as-of <iso>', 'compute as of this date/time (default now)');
  const json = () => new Option('--json', 'print a stable JSON array instead of a table');

  program
    .command('connect')
    .description('connect a Google or Microsoft account (opens the consent page)')
    .argument('<provider>', 'google | microsoft')
    .addOption(user())
    .action((provider: string, options: unknown) =>
      withApp(async () => {
        const { connectCommand } = await accounts();
        return (app, o) => connectCommand(app, provider, o);
      })(options),
    );

  program
    .command('import')
    .description('import mail/calendar exports (repeatable flags)')
    .addOption(user())
    .option('--mbox <file...>', 'mbox file(s), .gz accepted')
    .option('--maildir <dir...>', 'maildir folder(s)')
    .option('--ics <file...>', 'iCalendar file(s)')
    .option('--alias <email...>', 'other addresses of yours (for direction and self)')
    .action(withApp(async () => (await import('./commands/import.js')).importCommand));

  program
    .command('aliases')
    .description(
      'your other addresses found in your own mail (sent folders, your name); --add makes them yours',
    )
    .addOption(user())
    .option('--add <email...>', 'addresses of yours: their mail counts as yours from the next analysis on')
    .addOption(json())
    .action(withApp(async () => (await import('./commands/aliases.js')).aliasesCommand));

  program
    .command('sync')
    .description('sync connected accounts now')
    .addOption(user())
    .action(withApp(async () => (await accounts()).syncCommand));

  program
    .command('analyze')
    .description('recompute relationship metrics')
    .addOption(user())
    .addOption(asOfOpt())
    .action(withApp(async () => (await relationships()).analyzeCommand));

  program
    .command('cooling-off')
    .description("who's cooling off, ranked")
    .addOption(user())
    .option('--limit <n>', 'how many', '20')
    .addOption(asOfOpt())
    .addOption(json())
    .action(withApp(async () => (await relationships()).coolingOffCommand));

  program
    .command('asks')
    .description('one-sided asks, or classify stdin lines with --classify')
    .option('--user <email>', 'whose data')
    .option('--classify', 'read lines on stdin, print {"text","ask","score"} JSON lines')
    .addOption(
      new Option(
        '--kind <kind>',
        'with --classify: lines are subject lines (as ingest judges mail), sentences, or auto',
      )
        .choices(['subject', 'sentence', 'auto'])
        .default('subject'),
    )
    .addOption(asOfOpt())
    .addOption(json())
    .action(async (options: { classify?: boolean; user?: string; kind?: AskTextKind }) => {
      if (options.classify) {
        const { classifyAsksCommand } = await import('./commands/classify-asks.js');
        return classifyAsksCommand(process.stdin, options.kind);
      }
      if (!options.user) throw new UsageError('--user is required (or use --classify)');
      return withApp(async () => (await relationships()).asksCommand)(options);
    });

  program
    .command('people')
    .description('everyone you deal with, strongest first')
    .addOption(user())
    .addOption(new Option('--tier <tier>', 'only this tier').choices(['connection', 'contact', 'one-way']))
    .addOption(asOfOpt())
    .addOption(json())
    .action(withApp(async () => (await relationships()).peopleCommand));

  program
    .command('person')
    .description("one person's metrics, reasons and your choices; flags change the choices")
    .argument('<email>', 'any address of theirs')
    .addOption(user())
    .option('--snooze <when>', 'hide from cooling-off and follow-ups for 14d, 2w or until YYYY-MM-DD')
    .option('--unsnooze', 'end a snooze')
    .option('--dismiss', 'not a relationship you keep: never flagged')
    .option('--undo-dismiss', 'undo --dismiss')
    .option('--important', 'ranks first; with a target cadence, flagged when silent past it')
    .option('--every <days>', 'with --important: your target cadence, e.g. 30d or 2w')
    .option('--tolerance <days>', 'with --important: leeway past the target before cooling, e.g. 7d')
    .option('--not-important', 'undo --important (clears their own target)')
    .option('--tag <tags>', "their groups, comma-separated (family,friends); '' clears")
    .addOption(json())
    .action((email: string, options: unknown) =>
      withApp(async () => {
        const { personCommand } = await import('./commands/person.js');
        return (app, o) => personCommand(app, email, o);
      })(options),
    );

  program
    .command('cadence')
    .description('group cadences: list, set (--tag family --every 7d [--tolerance 3d]) or --remove TAG')
    .addOption(user())
    .option('--tag <tag>', 'the group to set')
    .option('--every <days>', 'its target cadence, e.g. 7d or 2w')
    .option('--tolerance <days>', 'leeway past the target before cooling (default 0d)')
    .option('--remove <tag>', "remove a group's cadence")
    .addOption(json())
    .action(withApp(async () => (await import('./commands/cadence.js')).cadenceCommand));

  program
    .command('report')
    .description('build the weekly report (and email it with --send)')
    .addOption(user())
    .addOption(asOfOpt())
    .option('--out <dir>', 'write report.html, report.txt and charts here', './out')
    .option('--send', 'email it (exactly once per week)')
    .action(withApp(async () => (await import('./commands/report.js')).reportCommand));

  program
    .command('status')
    .description('accounts, last sync, queue depth, failures')
    .addOption(user())
    .action(withApp(async () => (await accounts()).statusCommand));
  program
    .command('delete-user')
    .description('delete a user and all their data (asks for --yes)')
    .addOption(user())
    .option('--yes', 'confirm the deletion')
    .action(withApp(async () => (await accounts()).deleteUserCommand));
  program
    .command('worker')
    .description('run the queue workers and schedulers')
    .action(withApp(async () => (await import('./commands/worker.js')).workerCommand, { service: true }));
  program
    .command('serve')
    .description('run the HTTP API and web pages')
    .action(withApp(async () => (await import('./commands/serve.js')).serveCommand, { service: true }));
  program
    .command('board')
    .description('queue dashboard (Bull Board) for operators; no login, so loopback by default')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '3001')
    .option('--manage', 'allow retrying and removing jobs (default: read-only)')
    .action(async (options: unknown) =>
      (await import('./commands/board.js')).boardCommand(loadConfig(), options),
    );

  program
    .command('mcp')
    .description('MCP server on stdin/stdout for an AI assistant (one user; logs on stderr)')
    .addOption(user())
    .action(withApp(async () => (await import('./commands/mcp.js')).mcpCommand));

  program
    .command('login-code')
    .description('print a one-time code to sign in to the web pages (creates the user if new)')
    .addOption(user())
    .action(withApp(async () => (await import('./commands/login-code.js')).loginCodeCommand));
  return program;
}
