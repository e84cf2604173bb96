/**
 * Eigen-CAM's projection (pytorch-grad-cam's get_2d_projection): the spatial positions × channels
 * matrix, centred per channel, projected on its first right singular vector. Computed in JS in
 * float64 from the smaller Gram matrix, so no SVD kernel is needed on any tfjs backend.
 */

/** Sign convention: the component is oriented so that its channel loadings sum to ≥ 0 (SVD routines leave it arbitrary). */
export function firstPrincipalProjection(x: ArrayLike<number>, n: number, k: number): Float32Array {
  const c = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * k + j]!;
    mean /= n || 1;
    for (let i = 0; i < n; i++) c[i * k + j] = x[i * k + j]! - mean;
  }
  // The top eigenvector of the smaller Gram matrix gives the right singular vector either way.
  const byRows = n <= k;
  const m = byRows ? n : k;
  const g = gram(c, n, k, byRows);
  const top = topEigenvector(g, m);
  let v: Float64Array;
  if (byRows) {
    v = new Float64Array(k); // v ∝ Cᵀu
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) v[j]! += c[i * k + j]! * top[i]!;
    const norm = Math.hypot(...v) || 1;
    for (let j = 0; j < k; j++) v[j]! /= norm;
  } else v = top;
  let sum = 0;
  for (let j = 0; j < k; j++) sum += v[j]!;
  const sign = sum < 0 ? -1 : 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let j = 0; j < k; j++) p += c[i * k + j]! * v[j]!;
    out[i] = sign * p;
  }
  return out;
}

/** C·Cᵀ (n×n) when byRows, else Cᵀ·C (k×k). */
function gram(c: Float64Array, n: number, k: number, byRows: boolean): Float64Array {
  const m = byRows ? n : k;
  const g = new Float64Array(m * m);
  if (byRows) {
    for (let a = 0; a < n; a++)
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += c[a * k + j]! * c[b * k + j]!;
        g[a * m + b] = g[b * m + a] = s;
      }
  } else {
    for (let i = 0; i < n; i++) {
      const row = i * k;
      for (let a = 0; a < k; a++) {
        const ca = c[row + a]!;
        if (ca === 0) continue;
        for (let b = a; b < k; b++) g[a * m + b]! += ca * c[row + b]!;
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) g[a * m + b] = g[b * m + a]!;
  }
  return g;
}

function matSquare(a: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  let norm = 0;
  for (let i = 0; i < m; i++)
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l]!;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += ail * a[l * m + j]!;
    }
  for (const v of out) norm = Math.max(norm, Math.abs(v));
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Unit top eigenvector of a symmetric PSD matrix: a few squarings widen the spectral gap, then power iteration. */
function topEigenvector(g: Float64Array, m: number): Float64Array {
  let a = g;
  for (let s = 0; s < 3; s++) a = matSquare(a, m);
  // Start from the column of largest norm (never orthogonal to the top eigenvector of a PSD matrix unless it is 0).
  let best = 0;
  let bestNorm = -1;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * m + j]! ** 2;
    if (s > bestNorm) [best, bestNorm] = [j, s];
  }
  let v = new Float64Array(m);
  for (let i = 0; i < m; i++) v[i] = a[i * m + best]!;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += a[i * m + j]! * v[j]!;
      w[i] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) return v;
    let delta = 0;
    for (let i = 0; i < m; i++) {
      w[i]! /= norm;
      delta = Math.max(delta, Math.abs(w[i]! - v[i]!));
    }
    v = w;
    if (delta < 1e-13) break;
  }
  const norm = Math.hypot(...v) || 1;
  for (let i = 0; i < m; i++) v[i]! /= norm;
  return v;
}
