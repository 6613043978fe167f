// Portable activations: activation_impl.h on one lane. Bit-for-bit the same results as the AVX2/AVX-512 paths.
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
static inline int fany(MF m) { return m; }
static inline VF fpow2(VF t) { return ffrom((fbits(t) + 127u) << 23); }
#define fsignmask ffrom(0x80000000u)
#define fabsmask ffrom(0x7fffffffu)

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

#include "activation_impl.h"

void prnn_activation_f32_portable(prnn_activation act, const float *x, float *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: for (size_t i = 0; i < n; i++) y[i] = f_tanh(x[i]); break;
    case PRNN_ACT_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = f_sigmoid(x[i]); break;
    case PRNN_ACT_HARD_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = f_hard_sigmoid(x[i]); break;
    case PRNN_ACT_RELU: for (size_t i = 0; i < n; i++) y[i] = f_relu(x[i]); break;
    default: if (x != y) memmove(y, x, n * sizeof(float)); break;
    }
}

void prnn_activation_f64_portable(prnn_activation act, const double *x, double *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: for (size_t i = 0; i < n; i++) y[i] = d_tanh(x[i]); break;
    case PRNN_ACT_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = d_sigmoid(x[i]); break;
    case PRNN_ACT_HARD_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = d_hard_sigmoid(x[i]); break;
    case PRNN_ACT_RELU: for (size_t i = 0; i < n; i++) y[i] = d_relu(x[i]); break;
    default: if (x != y) memmove(y, x, n * sizeof(double)); break;
    }
}
