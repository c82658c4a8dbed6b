/**
 * How a number comes out of kustomize's JSON-then-YAML round trip: Go's JSON writes integral
 * floats below 1e21 as integers, go-yaml v2 reads those back as integers when they fit 64 bits,
 * and prints every other float with strconv's shortest `%g` (exponent from 1e+06 and below 1e-04).
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} has no JSON form`);
  if (Object.is(n, -0)) return '0';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    const big = BigInt(n);
    if (big >= -(2n ** 63n) && big < 2n ** 64n) return big.toString();
  }
  return formatShortestG(n);
}

function formatShortestG(n: number): string {
  const [mantissa, exponentText] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = exponent + 1;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${text}` : text;
}
