// Portable activations: activation_impl.h on one lane. Bit-for-bit the same results as the AVX2/AVX-512 paths.
#include "prnn_internal.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "simd_portable.h"
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
