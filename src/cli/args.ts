/** Minimal argument parsing for the CLI: positionals, `--flag value`, `--flag=value`, repeatable flags. */
export interface Args {
  positionals: string[];
  flags: Map<string, string[]>;
}

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
    let key = name;
    let value: string;
    if (eq >= 0) {
      key = name.slice(0, eq);
      value = name.slice(eq + 1);
    } else if (booleans.includes(name)) {
      value = 'true';
    } else {
      if (i + 1 >= argv.length) throw new Error(`option --${name} needs a value`);
      value = argv[++i];
    }
    flags.set(key, [...(flags.get(key) ?? []), value]);
  }
  return { positionals, flags };
}

export const flag = (a: Args, name: string): string | undefined => a.flags.get(name)?.at(-1);
export const flagAll = (a: Args, name: string): string[] => a.flags.get(name) ?? [];
export const has = (a: Args, name: string): boolean => a.flags.has(name);
