/*
 * gridsweep's WebAssembly SIMD kernels for training on the tfjs wasm
 * backend. The module imports the backend's own memory, so the kernels read
 * and write tensors in place: every pointer below is a byte offset into it.
 *
 * Rebuild (clang and lld 14 or newer, Debian: apt-get install clang lld):
 *   npm run build:wasm
 *
 * The module must not touch memory it was not given: it has no data
 * segment (no static data, no string constants; test/model/
 * simd-kernels.test.ts checks), and the loader (../simd.ts) points its
 * shadow stack, should the compiler ever use one, at a block allocated
 * from the backend.
 *
 * Layouts are tfjs': NHWC tensors, filters [KH, KW, Cin, Cout].
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef float f32;
typedef double f64;

INLINE int min_int(int a, int b) { return a < b ? a : b; }
INLINE int max_int(int a, int b) { return a > b ? a : b; }

/* Smallest i with i * step >= n, for n >= 0 and step >= 1. */
INLINE int div_up(int n, int step) { return (n + step - 1) / step; }

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
