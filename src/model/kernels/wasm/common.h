/*
 * What gridsweep's WebAssembly SIMD kernels share. The kernels (the .c
 * files here, one per kind of operation) are linked into one module,
 * kernels.wasm, that imports the tfjs wasm backend's own memory, so they
 * read and write tensors in place: every pointer is a byte offset into it.
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
#ifndef GRIDSWEEP_COMMON_H
#define GRIDSWEEP_COMMON_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef float f32;
typedef double f64;

INLINE int min_int(int a, int b) { return a < b ? a : b; }
INLINE int max_int(int a, int b) { return a > b ? a : b; }

/* Smallest i with i * step >= n, for n >= 0 and step >= 1. */
INLINE int div_up(int n, int step) { return (n + step - 1) / step; }

#endif
