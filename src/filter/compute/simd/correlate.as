// AssemblyScript source of the filter's WebAssembly SIMD kernel (scripts/build-wasm.mjs compiles it
// with `asc --enable simd -O3` into correlate-wasm.js, which embeds the bytes). The `.as` name keeps
// it out of the TypeScript projects: it is AssemblyScript (v128, load<T>), not TypeScript.
//
// Memory is laid out by the caller (filter-simd.ts); every pointer is a byte address, every count a
// number of f32 elements. The numerics are those of filter-direct.ts: one call adds up to four taps,
// o[x] = f32(o[x] + (((wa·pa[x·s] + wb·pb[x·s]) + wc·pc[x·s]) + we·pe[x·s])), the group summed in
// f64 as V8 does it (acc64). acc32 does the same in f32, four pixels a vector: the caller takes it
// only when every product and partial sum is an integer below 2^24, where f32 and f64 agree exactly.

/** PIL 'L' luma of n RGBA8 pixels at src into f32 at dst: (19595r + 38470g + 7471b + 2^15) >> 16. */
export function lumaRow(src: usize, n: i32, dst: usize): void {
  const mask = i32x4.splat(255);
  const kr = i32x4.splat(19595);
  const kg = i32x4.splat(38470);
  const kb = i32x4.splat(7471);
  const half = i32x4.splat(0x8000);
  let x = 0;
  for (; x + 4 <= n; x += 4) {
    const p = v128.load(src + (<usize>x << 2));
    const r = v128.and(p, mask);
    const g = v128.and(i32x4.shr_u(p, 8), mask);
    const b = v128.and(i32x4.shr_u(p, 16), mask);
    const s = i32x4.add(i32x4.add(i32x4.add(i32x4.mul(r, kr), i32x4.mul(g, kg)), i32x4.mul(b, kb)), half);
    v128.store(dst + (<usize>x << 2), f32x4.convert_i32x4_u(i32x4.shr_u(s, 16)));
  }
  for (; x < n; x++) {
    const u = load<u32>(src + (<usize>x << 2));
    const l = ((u & 255) * 19595 + ((u >>> 8) & 255) * 38470 + ((u >>> 16) & 255) * 7471 + 0x8000) >>> 16;
    store<f32>(dst + (<usize>x << 2), <f32>l);
  }
}

/** Channel c (0..3) of n RGBA8 pixels at src into f32 at dst. */
export function channelRow(src: usize, n: i32, c: i32, dst: usize): void {
  const mask = i32x4.splat(255);
  const sh = c * 8;
  let x = 0;
  for (; x + 4 <= n; x += 4) {
    const p = v128.load(src + (<usize>x << 2));
    v128.store(dst + (<usize>x << 2), f32x4.convert_i32x4_u(v128.and(i32x4.shr_u(p, sh), mask)));
  }
  for (; x < n; x++) store<f32>(dst + (<usize>x << 2), <f32>load<u8>(src + (<usize>x << 2) + c));
}

// @ts-ignore: decorator
@inline
function group64(pa: usize, pb: usize, pc: usize, pe: usize, wa: f64, wb: f64, wc: f64, we: f64, count: i32): f64 {
  let g = wa * <f64>load<f32>(pa);
  if (count > 1) g += wb * <f64>load<f32>(pb);
  if (count > 2) g += wc * <f64>load<f32>(pc);
  if (count > 3) g += we * <f64>load<f32>(pe);
  return g;
}

// @ts-ignore: decorator
@inline
function promote(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline
function body64(o: usize, n: i32, s: i32, pa: usize, pb: usize, pc: usize, pe: usize, wa: f64, wb: f64, wc: f64, we: f64, count: i32): void {
  let x = 0;
  if (s == 1) {
    const va = f64x2.splat(wa);
    const vb = f64x2.splat(wb);
    const vc = f64x2.splat(wc);
    const ve = f64x2.splat(we);
    for (; x + 4 <= n; x += 4) {
      const q = <usize>x << 2;
      let g0 = f64x2.mul(va, promote(pa + q));
      let g1 = f64x2.mul(va, promote(pa + q + 8));
      if (count > 1) {
        g0 = f64x2.add(g0, f64x2.mul(vb, promote(pb + q)));
        g1 = f64x2.add(g1, f64x2.mul(vb, promote(pb + q + 8)));
      }
      if (count > 2) {
        g0 = f64x2.add(g0, f64x2.mul(vc, promote(pc + q)));
        g1 = f64x2.add(g1, f64x2.mul(vc, promote(pc + q + 8)));
      }
      if (count > 3) {
        g0 = f64x2.add(g0, f64x2.mul(ve, promote(pe + q)));
        g1 = f64x2.add(g1, f64x2.mul(ve, promote(pe + q + 8)));
      }
      const lo = f32x4.demote_f64x2_zero(f64x2.add(promote(o + q), g0));
      const hi = f32x4.demote_f64x2_zero(f64x2.add(promote(o + q + 8), g1));
      v128.store(o + q, v128.shuffle<u32>(lo, hi, 0, 1, 4, 5));
    }
  }
  const step = <usize>s << 2;
  for (; x < n; x++) {
    const q = <usize>x * step;
    const at = o + (<usize>x << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) + group64(pa + q, pb + q, pc + q, pe + q, wa, wb, wc, we, count)));
  }
}

/** Adds `count` (1..4) taps to n outputs at o: o[x] = f32(o[x] + Σ w·p[x·s]), the group in f64. */
export function acc64(o: usize, n: i32, s: i32, count: i32, pa: usize, pb: usize, pc: usize, pe: usize, wa: f64, wb: f64, wc: f64, we: f64): void {
  if (count >= 4) body64(o, n, s, pa, pb, pc, pe, wa, wb, wc, we, 4);
  else if (count == 3) body64(o, n, s, pa, pb, pc, pe, wa, wb, wc, we, 3);
  else if (count == 2) body64(o, n, s, pa, pb, pc, pe, wa, wb, wc, we, 2);
  else body64(o, n, s, pa, pb, pc, pe, wa, wb, wc, we, 1);
}

// @ts-ignore: decorator
@inline
function body32(o: usize, n: i32, s: i32, pa: usize, pb: usize, pc: usize, pe: usize, wa: f32, wb: f32, wc: f32, we: f32, count: i32): void {
  let x = 0;
  if (s == 1) {
    const va = f32x4.splat(wa);
    const vb = f32x4.splat(wb);
    const vc = f32x4.splat(wc);
    const ve = f32x4.splat(we);
    for (; x + 4 <= n; x += 4) {
      const q = <usize>x << 2;
      let g = f32x4.mul(va, v128.load(pa + q));
      if (count > 1) g = f32x4.add(g, f32x4.mul(vb, v128.load(pb + q)));
      if (count > 2) g = f32x4.add(g, f32x4.mul(vc, v128.load(pc + q)));
      if (count > 3) g = f32x4.add(g, f32x4.mul(ve, v128.load(pe + q)));
      v128.store(o + q, f32x4.add(v128.load(o + q), g));
    }
  }
  const step = <usize>s << 2;
  for (; x < n; x++) {
    const q = <usize>x * step;
    const at = o + (<usize>x << 2);
    let g = wa * load<f32>(pa + q);
    if (count > 1) g += wb * load<f32>(pb + q);
    if (count > 2) g += wc * load<f32>(pc + q);
    if (count > 3) g += we * load<f32>(pe + q);
    store<f32>(at, load<f32>(at) + g);
  }
}

/** acc64 in f32, four outputs a vector: only for exact integer sums (see the top of this file). */
export function acc32(o: usize, n: i32, s: i32, count: i32, pa: usize, pb: usize, pc: usize, pe: usize, wa: f64, wb: f64, wc: f64, we: f64): void {
  const fa = <f32>wa;
  const fb = <f32>wb;
  const fc = <f32>wc;
  const fe = <f32>we;
  if (count >= 4) body32(o, n, s, pa, pb, pc, pe, fa, fb, fc, fe, 4);
  else if (count == 3) body32(o, n, s, pa, pb, pc, pe, fa, fb, fc, fe, 3);
  else if (count == 2) body32(o, n, s, pa, pb, pc, pe, fa, fb, fc, fe, 2);
  else body32(o, n, s, pa, pb, pc, pe, fa, fb, fc, fe, 1);
}

/** Fills n f32 at p with zero. */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}
