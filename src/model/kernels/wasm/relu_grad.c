/* The gradient of ReLU. */
#include "common.h"

/*
 * The gradient of ReLU, dy * step(x), in one pass instead of two: step is
 * 1 above zero, 0 at or below it, NaN for NaN (as tfjs' Step), and the
 * product is the same float32 multiplication tfjs' Multiply does.
 */
EXPORT(relu_grad)
void relu_grad(const f32 *dy, const f32 *x, f32 *out, int n) {
  const v128_t zero = wasm_f32x4_splat(0), one = wasm_f32x4_splat(1);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    v128_t s = wasm_v128_and(wasm_f32x4_gt(v, zero), one);
    s = wasm_v128_bitselect(v, s, wasm_f32x4_ne(v, v));
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < n; ++i) {
    const f32 v = x[i];
    const f32 s = v > 0 ? 1.0f : (v != v ? v : 0.0f);
    out[i] = dy[i] * s;
  }
}
