/* Direct convolution, which also computes input gradients. */
#include "common.h"

/* acc0, acc1 += x[ci] * w[ci, 0:8] over the input channels of one tap. */
#define MAC_PIXEL(ACC0, ACC1, XP)                                          \
  do {                                                                     \
    const f32 *xq = (XP);                                                  \
    const f32 *wq = wp;                                                    \
    for (int ci = 0; ci < in_c; ++ci, wq += out_c) {                       \
      const v128_t s = wasm_v128_load32_splat(xq + ci);                    \
      ACC0 = wasm_f32x4_add(ACC0, wasm_f32x4_mul(s, wasm_v128_load(wq)));  \
      ACC1 =                                                               \
          wasm_f32x4_add(ACC1, wasm_f32x4_mul(s, wasm_v128_load(wq + 4))); \
    }                                                                      \
  } while (0)

#define STORE_PIXEL(J, ACC0, ACC1)         \
  do {                                     \
    if ((J) < np) {                        \
      f32 *o = out_row + (ox0 + (J)) * out_c + co; \
      wasm_v128_store(o, ACC0);            \
      wasm_v128_store(o + 4, ACC1);        \
    }                                      \
  } while (0)

/*
 * A direct convolution, for output channels in multiples of 8:
 * out[n, oy, ox, co] = sum over kh, kw, ci of
 *   x[n, oy * sh + kh - pad_top, ox * sw + kw - pad_left, ci] * w[kh, kw, ci, co],
 * skipping the taps that fall outside x (zero padding is never multiplied).
 * Four output pixels by eight output channels stay in registers over all
 * taps; pixels at the edges, where some taps fall outside, go one by one.
 */
EXPORT(conv2d)
void conv2d(const f32 *x, const f32 *w, f32 *out, int batch, int in_h,
            int in_w, int in_c, int out_h, int out_w, int out_c, int filter_h,
            int filter_w, int stride_h, int stride_w, int pad_top,
            int pad_left) {
  for (int n = 0; n < batch; ++n) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int y0 = oy * stride_h - pad_top;
      const int kh_lo = max_int(0, -y0);
      const int kh_hi = min_int(filter_h, in_h - y0);
      f32 *out_row = out + ((long)n * out_h + oy) * out_w * out_c;
      for (int ox0 = 0; ox0 < out_w; ox0 += 4) {
        const int np = min_int(4, out_w - ox0);
        for (int co = 0; co < out_c; co += 8) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0, b0 = a0, b1 = a0;
          v128_t c0 = a0, c1 = a0, d0 = a0, d1 = a0;
          for (int kh = kh_lo; kh < kh_hi; ++kh) {
            const f32 *x_row = x + ((long)n * in_h + y0 + kh) * in_w * in_c;
            const int left = ox0 * stride_w - pad_left;
            if (stride_w == 1 && np == 4 && left >= 0 &&
                left + 3 + filter_w - 1 < in_w) {
              /* With stride 1 and every tap inside, a row of taps is one
               * run of filter_w * in_c values in x and in w: one long loop
               * instead of filter_w short ones (3 channels in a first
               * layer). */
              const f32 *p0 = x_row + (long)left * in_c;
              const f32 *p1 = p0 + in_c, *p2 = p1 + in_c, *p3 = p2 + in_c;
              const f32 *wq = w + ((long)kh * filter_w * in_c) * out_c + co;
              const int run = filter_w * in_c;
              for (int k = 0; k < run; ++k, wq += out_c) {
                const v128_t g0 = wasm_v128_load(wq);
                const v128_t g1 = wasm_v128_load(wq + 4);
                const v128_t s0 = wasm_v128_load32_splat(p0 + k);
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s0, g0));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s0, g1));
                const v128_t s1 = wasm_v128_load32_splat(p1 + k);
                b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(s1, g0));
                b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(s1, g1));
                const v128_t s2 = wasm_v128_load32_splat(p2 + k);
                c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(s2, g0));
                c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(s2, g1));
                const v128_t s3 = wasm_v128_load32_splat(p3 + k);
                d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(s3, g0));
                d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(s3, g1));
              }
              continue;
            }
            for (int kw = 0; kw < filter_w; ++kw) {
              const f32 *wp = w + ((long)(kh * filter_w + kw) * in_c) * out_c + co;
              const int ix0 = ox0 * stride_w + kw - pad_left;
              const int ix3 = ix0 + 3 * stride_w;
              if (np == 4 && ix0 >= 0 && ix3 < in_w) {
                const f32 *p0 = x_row + (long)ix0 * in_c;
                const f32 *p1 = p0 + (long)stride_w * in_c;
                const f32 *p2 = p1 + (long)stride_w * in_c;
                const f32 *p3 = p2 + (long)stride_w * in_c;
                const f32 *wq = wp;
                for (int ci = 0; ci < in_c; ++ci, wq += out_c) {
                  const v128_t g0 = wasm_v128_load(wq);
                  const v128_t g1 = wasm_v128_load(wq + 4);
                  const v128_t s0 = wasm_v128_load32_splat(p0 + ci);
                  a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s0, g0));
                  a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s0, g1));
                  const v128_t s1 = wasm_v128_load32_splat(p1 + ci);
                  b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(s1, g0));
                  b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(s1, g1));
                  const v128_t s2 = wasm_v128_load32_splat(p2 + ci);
                  c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(s2, g0));
                  c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(s2, g1));
                  const v128_t s3 = wasm_v128_load32_splat(p3 + ci);
                  d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(s3, g0));
                  d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(s3, g1));
                }
                continue;
              }
              const int ix1 = ix0 + stride_w, ix2 = ix1 + stride_w;
              if (ix0 >= 0 && ix0 < in_w) MAC_PIXEL(a0, a1, x_row + (long)ix0 * in_c);
              if (np > 1 && ix1 >= 0 && ix1 < in_w) MAC_PIXEL(b0, b1, x_row + (long)ix1 * in_c);
              if (np > 2 && ix2 >= 0 && ix2 < in_w) MAC_PIXEL(c0, c1, x_row + (long)ix2 * in_c);
              if (np > 3 && ix3 >= 0 && ix3 < in_w) MAC_PIXEL(d0, d1, x_row + (long)ix3 * in_c);
            }
          }
          STORE_PIXEL(0, a0, a1);
          STORE_PIXEL(1, b0, b1);
          STORE_PIXEL(2, c0, c1);
          STORE_PIXEL(3, d0, d1);
        }
      }
    }
  }
}

/*
 * The filter of the input gradient as a convolution: turned 180 degrees,
 * in and out channels swapped. out[a, b, co, ci] = w[KH-1-a, KW-1-b, ci, co].
 */
EXPORT(turn_filter)
void turn_filter(const f32 *w, f32 *out, int filter_h, int filter_w, int in_c,
                 int out_c) {
  for (int a = 0; a < filter_h; ++a) {
    for (int b = 0; b < filter_w; ++b) {
      const f32 *src =
          w + ((long)((filter_h - 1 - a) * filter_w + (filter_w - 1 - b)) * in_c) * out_c;
      f32 *dst = out + ((long)(a * filter_w + b) * out_c) * in_c;
      for (int ci = 0; ci < in_c; ++ci) {
        for (int co = 0; co < out_c; ++co) dst[co * in_c + ci] = src[ci * out_c + co];
      }
    }
  }
}
