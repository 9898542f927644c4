import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MlflowServerError } from '../server/client';
import { CliError, EXIT_OK, EXIT_USAGE, exitCodeForServerError } from './cliError';
import { COMMANDS } from './commands';
import { COMMON_OPTIONS, type CliCommand, type CliContext, type CliOptionSpec } from './context';

declare const MODEL_LEDGER_VERSION: string | undefined;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export function version(): string {
  // Replaced at bundle time; compiled tests (out/src/cli) read the repository's package.json.
  if (typeof MODEL_LEDGER_VERSION === 'string') return MODEL_LEDGER_VERSION;
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function optionLines(options: Readonly<Record<string, CliOptionSpec>>): string {
  return Object.entries(options)
    .map(([name, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' VALUE' : ''}`;
      return `  ${flag.padEnd(26)} ${spec.description}`;
    })
    .join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `model-ledger ${version()} — ML runs and a model registry with a tamper-evident ledger, from the command line`,
    '',
    'Usage: model-ledger <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    optionLines(COMMON_OPTIONS),
    '',
    '  -v, --version              print the version',
    '',
    'Exit codes: 0 success, 1 a check failed, 2 bad usage or input,',
    '  3 an external failure (an MLflow server unreachable, refusing the request or timing out).',
    "Run 'model-ledger <command> --help' for a command's own options.",
    '',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return [`Usage: ${command.usage}`, '', command.summary, '', 'Options:', optionLines({ ...command.options, ...COMMON_OPTIONS }), ''].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(mainHelp());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`${version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.stderr(`model-ledger: unknown command '${first}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See 'model-ledger --help'.\n`);
    return EXIT_USAGE;
  }
  const specs = { ...COMMON_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`model-ledger ${command.name}: ${(error as Error).message}\n${commandHelp(command)}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  const context: CliContext = {
    values: parsed.values as CliContext['values'],
    positionals: parsed.positionals,
    stdout: io.stdout,
    stderr: io.stderr,
    cwd: io.cwd,
    env: io.env,
  };
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`model-ledger ${command.name}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof MlflowServerError) {
      io.stderr(`model-ledger ${command.name}: ${error.message}\n`);
      return exitCodeForServerError(error.kind);
    }
    io.stderr(`model-ledger ${command.name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
