/* The filter gradient of a convolution. */
#include "common.h"

/*
 * One image's contribution to one filter tap, for a block of up to 4 input
 * channels and 8 output channels: acc[i][j] += sum over the output pixels
 * (y, x) in range of xs[y, x, i] * dys[y, x, j]. The sums stay in
 * registers for the whole image, then are added to the double totals.
 */
INLINE void tap_block_8(const f32 *xs, long x_row, long x_col, const f32 *dys,
                        long dy_row, long dy_col, int rows, int cols, int nci,
                        f64 *total, int out_c) {
  v128_t a0 = wasm_f32x4_splat(0), a1 = a0, b0 = a0, b1 = a0;
  v128_t c0 = a0, c1 = a0, d0 = a0, d1 = a0;
  for (int y = 0; y < rows; ++y) {
    const f32 *xp = xs + y * x_row;
    const f32 *gp = dys + y * dy_row;
    for (int x = 0; x < cols; ++x, xp += x_col, gp += dy_col) {
      const v128_t g0 = wasm_v128_load(gp);
      const v128_t g1 = wasm_v128_load(gp + 4);
      const v128_t s0 = wasm_v128_load32_splat(xp);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s0, g0));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s0, g1));
      if (nci > 1) {
        const v128_t s1 = wasm_v128_load32_splat(xp + 1);
        b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(s1, g0));
        b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(s1, g1));
      }
      if (nci > 2) {
        const v128_t s2 = wasm_v128_load32_splat(xp + 2);
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(s2, g0));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(s2, g1));
      }
      if (nci > 3) {
        const v128_t s3 = wasm_v128_load32_splat(xp + 3);
        d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(s3, g0));
        d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(s3, g1));
      }
    }
  }
  const v128_t rows_of[4][2] = {{a0, a1}, {b0, b1}, {c0, c1}, {d0, d1}};
  for (int i = 0; i < nci; ++i) {
    f64 *t = total + (long)i * out_c;
    for (int h = 0; h < 2; ++h) {
      const v128_t v = rows_of[i][h];
      f64 *th = t + 4 * h;
      wasm_v128_store(th, wasm_f64x2_add(wasm_v128_load(th),
                                         wasm_f64x2_promote_low_f32x4(v)));
      const v128_t up = wasm_i32x4_shuffle(v, v, 2, 3, 0, 1);
      wasm_v128_store(th + 2, wasm_f64x2_add(wasm_v128_load(th + 2),
                                             wasm_f64x2_promote_low_f32x4(up)));
    }
  }
}

/* The same for output channels that do not fill a block of 8, one at a time. */
INLINE void tap_block_1(const f32 *xs, long x_row, long x_col, const f32 *dys,
                        long dy_row, long dy_col, int rows, int cols, int nci,
                        f64 *total, int out_c) {
  for (int i = 0; i < nci; ++i) {
    f32 sum = 0;
    for (int y = 0; y < rows; ++y) {
      const f32 *xp = xs + y * x_row + i;
      const f32 *gp = dys + y * dy_row;
      for (int x = 0; x < cols; ++x, xp += x_col, gp += dy_col) sum += *xp * *gp;
    }
    total[(long)i * out_c] += sum;
  }
}

/*
 * The filter gradient of a convolution without dilation:
 * dw[kh, kw, ci, co] = sum over n, y, x of
 *   x[n, y * sh + kh - pad_top, x * sw + kw - pad_left, ci] * dy[n, y, x, co],
 * terms outside x being zero. `total` is scratch space for
 * KH * KW * Cin * Cout doubles.
 */
EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const f32 *x, const f32 *dy, f32 *dw, f64 *total,
                            int batch, int in_h, int in_w, int in_c,
                            int out_h, int out_w, int out_c, int filter_h,
                            int filter_w, int stride_h, int stride_w,
                            int pad_top, int pad_left) {
  const long taps = (long)filter_h * filter_w * in_c * out_c;
  for (long i = 0; i < taps; ++i) total[i] = 0;

  const long x_image = (long)in_h * in_w * in_c;
  const long dy_image = (long)out_h * out_w * out_c;
  const long x_row = (long)stride_h * in_w * in_c;
  const long x_col = (long)stride_w * in_c;
  const long dy_row = (long)out_w * out_c;

  for (int n = 0; n < batch; ++n) {
    for (int kh = 0; kh < filter_h; ++kh) {
      /* Output rows whose input row y * sh + kh - pad_top is inside x. */
      const int y_lo = div_up(max_int(pad_top - kh, 0), stride_h);
      const int y_hi = min_int(out_h, div_up(in_h + pad_top - kh, stride_h));
      if (y_lo >= y_hi) continue;
      for (int kw = 0; kw < filter_w; ++kw) {
        const int x_lo = div_up(max_int(pad_left - kw, 0), stride_w);
        const int x_hi = min_int(out_w, div_up(in_w + pad_left - kw, stride_w));
        if (x_lo >= x_hi) continue;

        const f32 *xs = x + n * x_image +
                        ((long)(y_lo * stride_h + kh - pad_top) * in_w +
                         (x_lo * stride_w + kw - pad_left)) * in_c;
        const f32 *dys = dy + n * dy_image + ((long)y_lo * out_w + x_lo) * out_c;
        f64 *tap = total + (long)(kh * filter_w + kw) * in_c * out_c;
        const int rows = y_hi - y_lo, cols = x_hi - x_lo;

        for (int ci = 0; ci < in_c; ci += 4) {
          const int nci = min_int(4, in_c - ci);
          int co = 0;
          for (; co + 8 <= out_c; co += 8) {
            f64 *t = tap + (long)ci * out_c + co;
            switch (nci) {
              case 4: tap_block_8(xs + ci, x_row, x_col, dys + co, dy_row, out_c,
                                  rows, cols, 4, t, out_c); break;
              case 3: tap_block_8(xs + ci, x_row, x_col, dys + co, dy_row, out_c,
                                  rows, cols, 3, t, out_c); break;
              case 2: tap_block_8(xs + ci, x_row, x_col, dys + co, dy_row, out_c,
                                  rows, cols, 2, t, out_c); break;
              default: tap_block_8(xs + ci, x_row, x_col, dys + co, dy_row, out_c,
                                   rows, cols, 1, t, out_c); break;
            }
          }
          for (; co < out_c; ++co) {
            tap_block_1(xs + ci, x_row, x_col, dys + co, dy_row, out_c, rows,
                        cols, nci, tap + (long)ci * out_c + co, out_c);
          }
        }
      }
    }
  }

  for (long i = 0; i < taps; ++i) dw[i] = (f32)total[i];
}
