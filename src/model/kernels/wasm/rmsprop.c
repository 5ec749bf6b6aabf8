/* The RMSprop update of one variable. */
#include "common.h"

/*
 * One RMSprop step with Keras' rule, as gridsweep's optimizer writes it in
 * tensor operations, in the same float32 operations and order (so the
 * result is the same bit for bit):
 *   ms' = rho * ms + (1 - rho) * g * g
 *   value' = value - lr * g / (sqrt(ms') + epsilon)
 */
EXPORT(rmsprop_step)
void rmsprop_step(const f32 *value, const f32 *grad, const f32 *ms,
                  f32 *value_out, f32 *ms_out, int n, f32 lr, f32 rho,
                  f32 one_minus_rho, f32 epsilon) {
  const v128_t lr4 = wasm_f32x4_splat(lr), rho4 = wasm_f32x4_splat(rho);
  const v128_t keep4 = wasm_f32x4_splat(one_minus_rho);
  const v128_t eps4 = wasm_f32x4_splat(epsilon);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t g = wasm_v128_load(grad + i);
    const v128_t m = wasm_f32x4_add(
        wasm_f32x4_mul(rho4, wasm_v128_load(ms + i)),
        wasm_f32x4_mul(keep4, wasm_f32x4_mul(g, g)));
    const v128_t step = wasm_f32x4_div(
        wasm_f32x4_mul(lr4, g), wasm_f32x4_add(wasm_f32x4_sqrt(m), eps4));
    wasm_v128_store(ms_out + i, m);
    wasm_v128_store(value_out + i, wasm_f32x4_sub(wasm_v128_load(value + i), step));
  }
  for (; i < n; ++i) {
    const f32 g = grad[i];
    const f32 m = rho * ms[i] + one_minus_rho * (g * g);
    ms_out[i] = m;
    value_out[i] = value[i] - (lr * g) / (__builtin_sqrtf(m) + epsilon);
  }
}
