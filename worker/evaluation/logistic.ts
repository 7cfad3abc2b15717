/**
 * Logistic regression by Newton's method (iteratively reweighted least squares) with a small L2 penalty on
 * everything but the intercept. Used offline to fit calibration weights (scripts/fit-fading.ts); small
 * feature counts only (the Hessian is solved densely).
 */

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and dense). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[pivot]![c]!)) pivot = r;
    [M[c], M[pivot]] = [M[pivot]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Weights (intercept first) for rows `X` (without the intercept column) and 0/1 outcomes `y`. */
export function fitLogistic(
  X: readonly number[][],
  y: readonly boolean[],
  l2 = 1e-3,
  iterations = 50,
): number[] {
  const d = (X[0]?.length ?? 0) + 1;
  let w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < X.length; i++) {
      const x = [1, ...X[i]!];
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j]! * x[j]!;
      const p = sigmoid(z);
      const e = p - (y[i] ? 1 : 0);
      const s = p * (1 - p);
      for (let j = 0; j < d; j++) {
        g[j]! += e * x[j]!;
        for (let k = 0; k < d; k++) H[j]![k]! += s * x[j]! * x[k]!;
      }
    }
    for (let j = 1; j < d; j++) {
      g[j]! += l2 * X.length * w[j]!;
      H[j]![j]! += l2 * X.length;
    }
    const step = solve(H, g);
    w = w.map((v, j) => v - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return w;
}

export function predictLogistic(w: readonly number[], x: readonly number[]): number {
  let z = w[0]!;
  for (let j = 0; j < x.length; j++) z += w[j + 1]! * x[j]!;
  return sigmoid(z);
}
