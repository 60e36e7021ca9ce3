/**
 * Argument parsing for the CLI on Node's `util.parseArgs`: each subcommand declares one option table, which drives
 * both the parser and its `--help` text (so the two cannot drift). Mistakes in the arguments throw `UsageError`,
 * which main.ts turns into exit code 2 with a hint to run `--help`.
 */
import { parseArgs as nodeParseArgs } from 'node:util';

/** A wrong or missing argument: exit code 2 (the command did no work). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One option of a subcommand; `value` names the argument in the help text (absent for a boolean flag). */
export interface OptionSpec {
  value?: string;
  short?: string;
  multiple?: boolean;
  help: string;
}

/** A subcommand: its synopsis, what it does, its positionals and its option table. */
export interface CommandSpec {
  name: string;
  synopsis: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra paragraphs after the option list (precision names, exit codes, examples). */
  notes?: string;
}

/** Parsed arguments: positionals and each option's values in order (a boolean flag's value is 'true'). */
export interface Args {
  positionals: string[];
  flags: Map<string, string[]>;
  /** `--help` was given: the caller prints `helpText(spec)` and does nothing else. */
  help: boolean;
}

const HELP: OptionSpec = { short: 'h', help: 'show this help and exit' };

/** Parses `argv` against `spec`; unknown options and missing values are `UsageError`s that name the command. */
export function parseCommand(spec: CommandSpec, argv: string[]): Args {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple: true }> = {};
  for (const [name, o] of Object.entries({ ...spec.options, help: HELP })) {
    options[name] = { type: o.value ? 'string' : 'boolean', multiple: true, ...(o.short ? { short: o.short } : {}) };
  }
  // `--help` anywhere wins, even next to other mistakes: a user asking for help should get it.
  if (argv.includes('--help') || argv.includes('-h')) return { positionals: [], flags: new Map(), help: true };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    if (!String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw e;
    // Node's messages say what is wrong but end in developer advice ("To specify a positional argument ..."): keep the first sentence.
    const msg = (e as Error).message.split('. ')[0].replace(/'(?:-\w, )?--([\w-]+)(?: <value>)?'/, '--$1');
    throw new UsageError(`${spec.name}: ${msg} (run 'quantgpu ${spec.name} --help')`);
  }
  const flags = new Map<string, string[]>();
  for (const [k, v] of Object.entries(parsed.values)) {
    flags.set(k, (v as (string | boolean)[]).map(String));
  }
  return { positionals: parsed.positionals, flags, help: false };
}

/** The `--help` text of a subcommand, from its option table. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` <${o.value}>` : ''}${o.multiple ? ' ...' : ''}`, o.help,
  ]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = rows.map(([l, h]) => `  ${l.padEnd(width)}${h.replace(/\n/g, `\n  ${' '.repeat(width)}`)}`);
  return `usage: ${spec.synopsis}\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n${spec.notes ? `\n${spec.notes}\n` : ''}`;
}

/** The line the CLI prints for an error: one `quantgpu:` prefix, whatever the message already carries. */
export function errorLine(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  return `quantgpu: ${text.replace(/^(quantgpu: ?)+/, '')}`;
}

/** The last value of an option. */
export const flag = (a: Args, name: string): string | undefined => a.flags.get(name)?.at(-1);
/** Every value of a repeatable option. */
export const flagAll = (a: Args, name: string): string[] => a.flags.get(name) ?? [];
/** Whether an option (boolean or not) was given. */
export const has = (a: Args, name: string): boolean => a.flags.has(name);

/** An option's value as a number; a non-number is a `UsageError` naming the option. */
export function numberFlag(a: Args, name: string, fallback: number, opts: { integer?: boolean; min?: number } = {}): number {
  const raw = flag(a, name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min)) {
    const kind = opts.integer ? 'an integer' : 'a number';
    throw new UsageError(`--${name} expects ${kind}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${raw}'`);
  }
  return v;
}

/** An option's value from a fixed list (with aliases); anything else is a `UsageError` listing the choices. */
export function choiceFlag<T extends string>(a: Args, name: string, choices: readonly T[], fallback: T, aliases: Record<string, T> = {}): T {
  const raw = flag(a, name);
  if (raw === undefined) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  if (raw in aliases) return aliases[raw];
  throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${raw}'`);
}

/**
 * Loose parsing for scripts (scripts/ptq-table.ts): any `--flag value`, `--flag=value`, or a listed boolean flag.
 * The CLI's subcommands use `parseCommand`, which rejects unknown options.
 */
export function parseArgs(argv: string[], booleans: string[] = []): Args {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const name = a.replace(/^--?/, '');
    const eq = name.indexOf('=');
    const key = eq >= 0 ? name.slice(0, eq) : name;
    let value = 'true';
    if (eq >= 0) value = name.slice(eq + 1);
    else if (!booleans.includes(name)) {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      value = argv[++i];
    }
    flags.set(key, [...(flags.get(key) ?? []), value]);
  }
  return { positionals, flags, help: false };
}
