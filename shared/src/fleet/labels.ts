import { FleetError } from '../errors.js';

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

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Throws a `validation` FleetError naming the first key or value Kubernetes would refuse. */
export function checkLabels(labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) throw new FleetError('validation', `invalid label key "${key}": an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "."`);
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) throw new FleetError('validation', `invalid value "${String(value)}" for label ${key}: up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric`);
  }
}
