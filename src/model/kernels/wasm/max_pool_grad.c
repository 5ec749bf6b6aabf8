/* The gradient of a max pool. */
#include "common.h"

/*
 * The first position of a window holding its maximum (row-major order,
 * strict >, from -inf) per channel lane, as tfjs' cpu backend picks it, so
 * that ties (zeros after a ReLU) break the same way; -1 where every value
 * is NaN or -inf.
 */
INLINE v128_t window_argmax(const f32 *xn, int width, int channels, int c,
                            int y_lo, int y_hi, int x_lo, int x_hi) {
  v128_t best = wasm_f32x4_splat(-__builtin_inff());
  v128_t at = wasm_i32x4_splat(-1);
  for (int yy = y_lo; yy < y_hi; ++yy) {
    for (int xx = x_lo; xx < x_hi; ++xx) {
      const int p = yy * width + xx;
      const v128_t v = wasm_v128_load(xn + (long)p * channels + c);
      const v128_t gt = wasm_f32x4_gt(v, best);
      best = wasm_v128_bitselect(v, best, gt);
      at = wasm_v128_bitselect(wasm_i32x4_splat(p), at, gt);
    }
  }
  return at;
}

INLINE int window_argmax_1(const f32 *xn, int width, int channels, int c,
                           int y_lo, int y_hi, int x_lo, int x_hi) {
  f32 best = -__builtin_inff();
  int at = -1;
  for (int yy = y_lo; yy < y_hi; ++yy) {
    for (int xx = x_lo; xx < x_hi; ++xx) {
      const int p = yy * width + xx;
      const f32 v = xn[(long)p * channels + c];
      if (v > best) {
        best = v;
        at = p;
      }
    }
  }
  return at;
}

/*
 * The 2x2 window at (y, x) for the channels in whole groups of 4; returns
 * how many channels it did. The first position equal to the window's
 * maximum (NaN ignored, as pmax does), when that maximum is above -inf,
 * is the position window_argmax picks.
 */
INLINE int pool_grad_2x2(const f32 *xn, const f32 *g, f32 *dxn, int width,
                         int channels, int y, int x) {
  const long row = (long)width * channels;
  const long at = ((long)y * width + x) * channels;
  const v128_t low = wasm_f32x4_splat(-__builtin_inff());
  int c = 0;
  for (; c + 4 <= channels; c += 4) {
    const f32 *p = xn + at + c;
    const v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + channels);
    const v128_t d = wasm_v128_load(p + row), e = wasm_v128_load(p + row + channels);
    const v128_t m =
        wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(wasm_f32x4_pmax(low, a), b), d), e);
    v128_t free = wasm_f32x4_gt(m, low);
    const v128_t ha = wasm_v128_and(wasm_f32x4_eq(a, m), free);
    free = wasm_v128_andnot(free, ha);
    const v128_t hb = wasm_v128_and(wasm_f32x4_eq(b, m), free);
    free = wasm_v128_andnot(free, hb);
    const v128_t hd = wasm_v128_and(wasm_f32x4_eq(d, m), free);
    free = wasm_v128_andnot(free, hd);
    const v128_t he = wasm_v128_and(wasm_f32x4_eq(e, m), free);
    const v128_t grad = wasm_v128_load(g + c);
    f32 *q = dxn + at + c;
    wasm_v128_store(q, wasm_v128_and(grad, ha));
    wasm_v128_store(q + channels, wasm_v128_and(grad, hb));
    wasm_v128_store(q + row, wasm_v128_and(grad, hd));
    wasm_v128_store(q + row + channels, wasm_v128_and(grad, he));
  }
  return c;
}

/*
 * Windows that tile the input without overlap or padding (a 2x2 pool with
 * stride 2, as in gridsweep's networks): each input position gets its
 * window's dy or 0, written once, with no clearing pass before.
 */
static void max_pool_grad_tiled(const f32 *xn, const f32 *dyn, f32 *dxn,
                                int height, int width, int channels,
                                int out_height, int out_width, int size_h,
                                int size_w) {
  for (int oy = 0; oy < out_height; ++oy) {
    const int y_lo = oy * size_h, y_hi = y_lo + size_h;
    for (int ox = 0; ox < out_width; ++ox) {
      const int x_lo = ox * size_w, x_hi = x_lo + size_w;
      const f32 *g = dyn + ((long)oy * out_width + ox) * channels;
      int c = 0;
      if (size_h == 2 && size_w == 2) {
        c = pool_grad_2x2(xn, g, dxn, width, channels, y_lo, x_lo);
      }
      for (; c + 4 <= channels; c += 4) {
        const v128_t at =
            window_argmax(xn, width, channels, c, y_lo, y_hi, x_lo, x_hi);
        const v128_t grad = wasm_v128_load(g + c);
        for (int yy = y_lo; yy < y_hi; ++yy) {
          for (int xx = x_lo; xx < x_hi; ++xx) {
            const int p = yy * width + xx;
            const v128_t hit = wasm_i32x4_eq(at, wasm_i32x4_splat(p));
            wasm_v128_store(dxn + (long)p * channels + c,
                            wasm_v128_and(grad, hit));
          }
        }
      }
      for (; c < channels; ++c) {
        const int at =
            window_argmax_1(xn, width, channels, c, y_lo, y_hi, x_lo, x_hi);
        for (int yy = y_lo; yy < y_hi; ++yy) {
          for (int xx = x_lo; xx < x_hi; ++xx) {
            const int p = yy * width + xx;
            dxn[(long)p * channels + c] = p == at ? g[c] : 0;
          }
        }
      }
    }
  }
  /* Rows and columns past the last whole window get no gradient. */
  for (int yy = 0; yy < height; ++yy) {
    const int from = yy < out_height * size_h ? out_width * size_w : 0;
    for (long i = (long)(yy * width + from) * channels;
         i < (long)(yy + 1) * width * channels; ++i) {
      dxn[i] = 0;
    }
  }
}

/*
 * The gradient of a max pool: each window's dy goes to its first maximal
 * position (see window_argmax). Overlapping windows add up; windows clip at
 * the edges (no padding value).
 */
EXPORT(max_pool_grad)
void max_pool_grad(const f32 *x, const f32 *dy, f32 *dx, int batch,
                   int height, int width, int channels, int out_height,
                   int out_width, int filter_height, int filter_width,
                   int stride_height, int stride_width, int pad_top,
                   int pad_left) {
  const long image = (long)height * width * channels;
  const long dy_image = (long)out_height * out_width * channels;
  const int tiled = filter_height == stride_height &&
                    filter_width == stride_width && pad_top == 0 &&
                    pad_left == 0 && out_height * stride_height <= height &&
                    out_width * stride_width <= width;
  if (tiled) {
    for (int n = 0; n < batch; ++n) {
      max_pool_grad_tiled(x + n * image, dy + n * dy_image, dx + n * image,
                          height, width, channels, out_height, out_width,
                          filter_height, filter_width);
    }
    return;
  }

  __builtin_memset(dx, 0, sizeof(f32) * image * batch);
  for (int n = 0; n < batch; ++n) {
    const f32 *xn = x + n * image;
    f32 *dxn = dx + n * image;
    for (int oy = 0; oy < out_height; ++oy) {
      const int y0 = oy * stride_height - pad_top;
      const int y_lo = max_int(y0, 0);
      const int y_hi = min_int(y0 + filter_height, height);
      for (int ox = 0; ox < out_width; ++ox) {
        const int x0 = ox * stride_width - pad_left;
        const int x_lo = max_int(x0, 0);
        const int x_hi = min_int(x0 + filter_width, width);
        const f32 *g = dy + n * dy_image + ((long)oy * out_width + ox) * channels;

        int c = 0;
        for (; c + 4 <= channels; c += 4) {
          const v128_t at =
              window_argmax(xn, width, channels, c, y_lo, y_hi, x_lo, x_hi);
          const v128_t grad = wasm_v128_load(g + c);
          for (int yy = y_lo; yy < y_hi; ++yy) {
            for (int xx = x_lo; xx < x_hi; ++xx) {
              const int p = yy * width + xx;
              const v128_t hit = wasm_i32x4_eq(at, wasm_i32x4_splat(p));
              f32 *d = dxn + (long)p * channels + c;
              wasm_v128_store(d, wasm_f32x4_add(wasm_v128_load(d),
                                                wasm_v128_and(grad, hit)));
            }
          }
        }
        for (; c < channels; ++c) {
          const int at =
              window_argmax_1(xn, width, channels, c, y_lo, y_hi, x_lo, x_hi);
          if (at >= 0) dxn[(long)at * channels + c] += g[c];
        }
      }
    }
  }
}
