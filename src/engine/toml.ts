/**
 * A TOML writer for Flux's own projection files (flat keys, arrays of
 * strings, arrays of tables). Small on purpose: the hook path rewrites
 * projections and must not load a TOML library.
 */
type Scalar = string | number | boolean;
type Value = Scalar | Scalar[];
export type TomlTable = Record<string, Value | undefined>;

export function tomlString(text: string): string {
  // JSON escapes what TOML's basic strings need, except DEL.
  return JSON.stringify(text).replaceAll('\u007f', '\\u007f');
}

function value(v: Value): string {
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  return typeof v === 'string' ? tomlString(v) : String(v);
}

function table(entries: TomlTable): string {
  return Object.entries(entries)
    .filter((entry): entry is [string, Value] => entry[1] !== undefined)
    .map(([key, v]) => `${key} = ${value(v)}`)
    .join('\n');
}

export function toToml(top: TomlTable, arrays: Record<string, TomlTable[]> = {}): string {
  const parts = [table(top)];
  for (const [name, rows] of Object.entries(arrays)) {
    for (const row of rows) parts.push(`[[${name}]]\n${table(row)}`);
  }
  return parts.filter((part) => part !== '').join('\n\n') + '\n';
}
