/**
 * Mann-Whitney U test, one-sided: is sample `a` stochastically greater than `b`? Exact
 * distribution for small samples (ties get mid-ranks), normal approximation with tie and
 * continuity correction beyond. This is the test Kayenta's judge uses to tell a real
 * regression from noise.
 */

export interface MannWhitney {
  u: number;
  /** P(U >= u) under "no difference". */
  pGreater: number;
}

function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (
      j + 1 < order.length &&
      (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]
    )
      j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[(order[k] as readonly [number, number])[1]] = mid;
    i = j + 1;
  }
  return r;
}

/** Number of ways to reach each U value for sizes n, m (exact null distribution). */
function exactCounts(n: number, m: number): number[] {
  // f[i][j][u]: arrangements of i from a and j from b with statistic u.
  let prev: number[][] = Array.from({ length: m + 1 }, () => [1]);
  for (let i = 1; i <= n; i++) {
    const cur: number[][] = [];
    for (let j = 0; j <= m; j++) {
      const size = i * j + 1;
      const row = new Array<number>(size).fill(0);
      // last element from a: it beats all j elements of b -> adds j
      const fromA = prev[j] as number[];
      for (let u = 0; u < fromA.length; u++) row[u + j] = (row[u + j] as number) + (fromA[u] as number);
      if (j > 0) {
        const fromB = cur[j - 1] as number[];
        for (let u = 0; u < fromB.length; u++) row[u] = (row[u] as number) + (fromB[u] as number);
      }
      cur.push(row);
    }
    prev = cur;
  }
  return prev[m] as number[];
}

function normalSf(z: number): number {
  // Complementary error function approximation (Abramowitz-Stegun 7.1.26), |error| < 1.5e-7.
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-(z * z) / 2);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export function mannWhitneyGreater(a: number[], b: number[]): MannWhitney {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { u: 0, pGreater: 1 };
  const r = ranks([...a, ...b]);
  const rankSumA = r.slice(0, n).reduce((s, x) => s + x, 0);
  const u = rankSumA - (n * (n + 1)) / 2;
  if (n <= 20 && m <= 20) {
    const counts = exactCounts(n, m);
    const total = counts.reduce((s, c) => s + c, 0);
    let tail = 0;
    for (let k = Math.ceil(u - 1e-9); k < counts.length; k++) tail += counts[k] as number;
    return { u, pGreater: Math.min(1, tail / total) };
  }
  const all = [...a, ...b];
  const ties = new Map<number, number>();
  for (const v of all) ties.set(v, (ties.get(v) ?? 0) + 1);
  const N = n + m;
  const tieTerm = [...ties.values()].reduce((s, t) => s + (t * t * t - t), 0) / (N * (N - 1));
  const sigma = Math.sqrt(((n * m) / 12) * (N + 1 - tieTerm));
  const z = sigma === 0 ? 0 : (u - (n * m) / 2 - 0.5) / sigma;
  return { u, pGreater: normalSf(z) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The smallest one-sided p-value the exact test can give with n and m samples: every canary
 * sample above every stable one, 1 / C(n+m, n). With 3 a side it is 0.05, so a test at 0.05
 * can never reject: a baseline check configured that way cannot fail.
 */
export function smallestP(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(n, m); i++) c = (c * (n + m - Math.min(n, m) + i)) / i;
  return 1 / c;
}

/** The fewest samples a side for which the comparison can reject at `alpha`. */
export function samplesNeeded(alpha: number): number {
  let n = 1;
  while (smallestP(n, n) >= alpha && n < 60) n++;
  return n;
}
