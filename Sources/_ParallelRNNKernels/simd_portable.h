// The SIMD vocabulary of activation_impl.h, activation_loops.h and gates_impl.h
// on one lane (plain C scalars; fmaf/fma for ffma/dfma).
// Included by exactly one .c file per use (every function is static inline); see activation_impl.h for the contract.
#ifndef PRNN_SIMD_PORTABLE_H
#define PRNN_SIMD_PORTABLE_H
#include "prnn_internal.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float VF;
typedef int MF;
typedef double VD;
typedef int MD;
#define ACT_FN static inline

static inline uint32_t fbits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float ffrom(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static inline uint64_t dbits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double dfrom(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

static inline VF fset(float c) { return c; }
static inline VF fadd(VF a, VF b) { return a + b; }
static inline VF fsub(VF a, VF b) { return a - b; }
static inline VF fmul(VF a, VF b) { return a * b; }
static inline VF fdiv(VF a, VF b) { return a / b; }
static inline VF ffma(VF a, VF b, VF c) { return fmaf(a, b, c); }
static inline VF fband(VF a, VF b) { return ffrom(fbits(a) & fbits(b)); }
static inline VF fbor(VF a, VF b) { return ffrom(fbits(a) | fbits(b)); }
static inline MF flt(VF a, VF b) { return a < b; }
static inline MF fisnan(VF a) { return a != a; }
static inline VF fsel(MF m, VF a, VF b) { return m ? a : b; }
static inline VF fminx(VF a, VF b) { return a < b ? a : b; }
static inline VF fmaxx(VF a, VF b) { return a > b ? a : b; }
static inline int fany(MF m) { return m; }
static inline VF fpow2(VF t) { return ffrom((fbits(t) + 127u) << 23); }
static inline VF fexponent(VF x) { return (float)((int32_t)(fbits(x) >> 23) - 127); }
#define fsignmask ffrom(0x80000000u)
#define fabsmask ffrom(0x7fffffffu)
#define fmantmask ffrom(0x007fffffu)

static inline VD dset(double c) { return c; }
static inline VD dadd(VD a, VD b) { return a + b; }
static inline VD dsub(VD a, VD b) { return a - b; }
static inline VD dmul(VD a, VD b) { return a * b; }
static inline VD ddiv(VD a, VD b) { return a / b; }
static inline VD dfma(VD a, VD b, VD c) { return fma(a, b, c); }
static inline VD dband(VD a, VD b) { return dfrom(dbits(a) & dbits(b)); }
static inline VD dbor(VD a, VD b) { return dfrom(dbits(a) | dbits(b)); }
static inline MD dlt(VD a, VD b) { return a < b; }
static inline MD disnan(VD a) { return a != a; }
static inline VD dsel(MD m, VD a, VD b) { return m ? a : b; }
static inline int dany(MD m) { return m; }
static inline VD dpow2(VD t) { return dfrom((dbits(t) + 1023u) << 52); }
#define dsignmask dfrom(0x8000000000000000ull)
#define dabsmask dfrom(0x7fffffffffffffffull)

/// Loads and stores of FLANES floats; the _part forms touch only the first m < FLANES lanes (others read as 0).
#define FLANES 1
static inline VF fload(const float *p) { return *p; }
static inline void fstore(float *p, VF v) { *p = v; }
static inline VF fload_part(const float *p, int m) { (void)m; return *p; }
static inline void fstore_part(float *p, VF v, int m) { (void)m; *p = v; }
/// The same for DLANES doubles.
#define DLANES 1
static inline VD dload(const double *p) { return *p; }
static inline void dstore(double *p, VD v) { *p = v; }
static inline VD dload_part(const double *p, int m) { (void)m; return *p; }
static inline void dstore_part(double *p, VD v, int m) { (void)m; *p = v; }
#endif
