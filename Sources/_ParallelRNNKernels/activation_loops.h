// prnn_activation_f32 / _f64 for one ISA: the element loops, written once over the SIMD vocabulary (simd_*.h) and
// included after activation_impl.h by activation_portable.c, activation_avx2.c and activation_avx512.c. Full vectors
// four at a time (independent chains), then one at a time, then the tail through the _part loads and stores.
//
// The including file defines, before including:
//   ACT_EXPORT        qualifiers of the two entry points (the ISA's target attribute, or nothing)
//   ACT_NAME(base)    the entry points' names (base ## _avx2, …)

#define ACT_LOOP(F, V, LANES, LOAD, STORE, LOAD_PART, STORE_PART) do { \
    size_t i = 0; \
    for (; i + 4 * (LANES) <= n; i += 4 * (LANES)) { \
        V v0 = F(LOAD(x + i)), v1 = F(LOAD(x + i + (LANES))); \
        V v2 = F(LOAD(x + i + 2 * (LANES))), v3 = F(LOAD(x + i + 3 * (LANES))); \
        STORE(y + i, v0); STORE(y + i + (LANES), v1); STORE(y + i + 2 * (LANES), v2); STORE(y + i + 3 * (LANES), v3); \
    } \
    for (; i + (LANES) <= n; i += (LANES)) STORE(y + i, F(LOAD(x + i))); \
    if (i < n) STORE_PART(y + i, F(LOAD_PART(x + i, (int)(n - i))), (int)(n - i)); } while (0)

#define F32_LOOP(F) ACT_LOOP(F, VF, FLANES, fload, fstore, fload_part, fstore_part)
/// F32_LOOP for the k-vector functions (f_tanh_k, f_sigmoid_k): ACT_K vectors per call, then one at a time.
#define F32_LOOP_K(FK) do { \
    size_t i = 0; \
    for (; i + ACT_K * FLANES <= n; i += ACT_K * FLANES) { \
        VF v[ACT_K]; \
        PRNN_EACH(q, ACT_K) v[q] = fload(x + i + (size_t)q * FLANES); \
        FK(ACT_K, v, v); \
        PRNN_EACH(q, ACT_K) fstore(y + i + (size_t)q * FLANES, v[q]); \
    } \
    for (; i + FLANES <= n; i += FLANES) { VF v = fload(x + i); FK(1, &v, &v); fstore(y + i, v); } \
    if (i < n) { VF v = fload_part(x + i, (int)(n - i)); FK(1, &v, &v); fstore_part(y + i, v, (int)(n - i)); } } while (0)
#define F64_LOOP(F) ACT_LOOP(F, VD, DLANES, dload, dstore, dload_part, dstore_part)
#define F32_CASE(NAME, F, D) case NAME: F32_LOOP(F); break;
#define F64_CASE(NAME, F, D) case NAME: F64_LOOP(D); break;

ACT_EXPORT void ACT_NAME(prnn_activation_f32)(prnn_activation act, const float *x, float *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F32_LOOP_K(f_tanh_k); break;
    case PRNN_ACT_SIGMOID: F32_LOOP_K(f_sigmoid_k); break;
    PRNN_ONE_VECTOR_ACTIVATIONS(F32_CASE)
    default: if (x != y) memmove(y, x, n * sizeof(float)); break;
    }
}

ACT_EXPORT void ACT_NAME(prnn_activation_f64)(prnn_activation act, const double *x, double *y, size_t n) {
    switch (act) {
    case PRNN_ACT_TANH: F64_LOOP(d_tanh); break;
    case PRNN_ACT_SIGMOID: F64_LOOP(d_sigmoid); break;
    PRNN_ONE_VECTOR_ACTIVATIONS(F64_CASE)
    default: if (x != y) memmove(y, x, n * sizeof(double)); break;
    }
}

#undef F64_CASE
#undef F32_CASE
#undef F64_LOOP
#undef F32_LOOP_K
#undef F32_LOOP
#undef ACT_LOOP
