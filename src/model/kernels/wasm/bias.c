/* A bias added to activations, and its gradient: a sum over rows. */
#include "common.h"

/* Rows summed in float32 before a partial sum is added to the doubles. */
#define SUM_BLOCK 32

INLINE v128_t promote_high(v128_t v) {
  return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
}

INLINE v128_t demote_pair(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo),
                            wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/*
 * out[c] = sum over r of x[r * cols + c]: a sum over the leading axes of a
 * tensor (a bias gradient). Sixteen columns per pass over the rows, so
 * each cache line of x is read once; rows are summed in float32 in blocks
 * of SUM_BLOCK and the blocks in double, which keeps the result within a
 * few units in the last place of the cpu backend's all-double sum.
 */
EXPORT(sum_leading)
void sum_leading(const f32 *x, f32 *out, int rows, int cols) {
  int c = 0;
  for (; c + 16 <= cols; c += 16) {
    v128_t t0 = wasm_f64x2_splat(0), t1 = t0, t2 = t0, t3 = t0;
    v128_t t4 = t0, t5 = t0, t6 = t0, t7 = t0;
    for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
      const int r1 = min_int(rows, r0 + SUM_BLOCK);
      v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
      const f32 *p = x + (long)r0 * cols + c;
      for (int r = r0; r < r1; ++r, p += cols) {
        s0 = wasm_f32x4_add(s0, wasm_v128_load(p));
        s1 = wasm_f32x4_add(s1, wasm_v128_load(p + 4));
        s2 = wasm_f32x4_add(s2, wasm_v128_load(p + 8));
        s3 = wasm_f32x4_add(s3, wasm_v128_load(p + 12));
      }
      t0 = wasm_f64x2_add(t0, wasm_f64x2_promote_low_f32x4(s0));
      t1 = wasm_f64x2_add(t1, promote_high(s0));
      t2 = wasm_f64x2_add(t2, wasm_f64x2_promote_low_f32x4(s1));
      t3 = wasm_f64x2_add(t3, promote_high(s1));
      t4 = wasm_f64x2_add(t4, wasm_f64x2_promote_low_f32x4(s2));
      t5 = wasm_f64x2_add(t5, promote_high(s2));
      t6 = wasm_f64x2_add(t6, wasm_f64x2_promote_low_f32x4(s3));
      t7 = wasm_f64x2_add(t7, promote_high(s3));
    }
    wasm_v128_store(out + c, demote_pair(t0, t1));
    wasm_v128_store(out + c + 4, demote_pair(t2, t3));
    wasm_v128_store(out + c + 8, demote_pair(t4, t5));
    wasm_v128_store(out + c + 12, demote_pair(t6, t7));
  }
  for (; c + 4 <= cols; c += 4) {
    v128_t lo = wasm_f64x2_splat(0), hi = lo;
    for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
      const int r1 = min_int(rows, r0 + SUM_BLOCK);
      v128_t s = wasm_f32x4_splat(0);
      const f32 *p = x + (long)r0 * cols + c;
      for (int r = r0; r < r1; ++r, p += cols) s = wasm_f32x4_add(s, wasm_v128_load(p));
      lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(s));
      hi = wasm_f64x2_add(hi, promote_high(s));
    }
    wasm_v128_store(out + c, demote_pair(lo, hi));
  }
  for (; c < cols; ++c) {
    f64 sum = 0;
    for (int r = 0; r < rows; ++r) sum += x[(long)r * cols + c];
    out[c] = (f32)sum;
  }
}

/*
 * out[r, c] = x[r, c] + bias[c]: a bias added to every pixel of NHWC
 * activations (or every row of a dense layer's output).
 */
EXPORT(add_bias)
void add_bias(const f32 *x, const f32 *bias, f32 *out, int rows, int cols) {
  if (cols % 4 == 0) {
    for (int r = 0; r < rows; ++r) {
      const f32 *xr = x + (long)r * cols;
      f32 *o = out + (long)r * cols;
      for (int c = 0; c < cols; c += 4) {
        wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(xr + c),
                                              wasm_v128_load(bias + c)));
      }
    }
    return;
  }
  for (int r = 0; r < rows; ++r) {
    const f32 *xr = x + (long)r * cols;
    f32 *o = out + (long)r * cols;
    for (int c = 0; c < cols; ++c) o[c] = xr[c] + bias[c];
  }
}
