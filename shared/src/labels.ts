import { FleetError } from './errors.js';

/** Parses `k=v` command-line labels. */
export function parseLabelArgs(args: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new FleetError('validation', `a label is written key=value, got "${arg}"`);
    labels[arg.slice(0, at)] = arg.slice(at + 1);
  }
  return labels;
}
