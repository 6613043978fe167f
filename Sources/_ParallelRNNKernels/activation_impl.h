// Element-wise activation algorithms, written once over an abstract SIMD vocabulary and included by
// activation_portable.c (one lane), activation_avx2.c and activation_avx512.c. Because every ISA runs this exact
// sequence of IEEE operations (add/sub/mul/div/fma, compare, select, bit ops), y[i] is bitwise identical in all paths.
//
// The including file defines, before including:
//   ACT_FN                 function qualifiers (static inline, target attribute)
//   VF, MF / VD, MD        float / double vector and comparison-mask types
//   fset fadd fsub fmul fdiv ffma(a,b,c)=a·b+c fband fbor (bitwise) flt(a,b)=a<b (ordered) fisnan fsel(m,a,b)=m?a:b
//   fminx(a,b)=a<b?a:b fmaxx(a,b)=a>b?a:b (x86 minps/maxps: b when either is NaN or both are zeros)
//   fany(m): some lane of m is set
//   fpow2(t): for t = k + 1.5·2^23 with integer k, k + 127 in [1, 254], returns 2^k (bits: (bits(t) + 127) << 23)
//   fexponent(x): for x ≥ +0, (bits(x) >> 23) - 127 as a float (a positive normal x's binary exponent)
//   and the same names with a d prefix for double (dpow2: t = k + 1.5·2^52, bits (bits(t) + 1023) << 52).
//   fsignmask / fabsmask / dsignmask / dabsmask: vectors with 0x80000000 / 0x7fffffff (and the 64-bit equivalents);
//   fmantmask: 0x007fffff.
//
// Accuracy (vs libm, measured by the tests): float tanh ≲ 6e-7 (TF's own formula), sigmoid ≲ 3e-7 relative;
// double ≲ 1e-15 relative.
//
// The float exponential of the less common Keras activations (exponential, elu, selu, softplus, gelu), softplus's log1p,
// gelu's erfc and swish's sigmoid are TF 2.21's own vector algorithms (Eigen's pexp_float, Kahan's log1p over plog_float,
// generic_fast_erfc, scalar_logistic_op's packet path), with the multiply-adds Eigen's pmadd rounds twice (fmadd_tf),
// as TF's wheels are built without FMA: bitwise TF's vector results (Scripts/compare_activations_tf.py), except where
// TF's erfc uses its approximate reciprocal (rcpps + one Newton step; here a division). The double versions call libm
// lane by lane (d_lanewise): the same libm function on every ISA, so those stay bitwise equal across ISAs too (within
// one process; libm's own CPU dispatch may differ between machines by an ulp).
#include <math.h>

// ---------------------------------------------------------------- float
// The float functions take k independent vectors (k ≤ ACT_K, a constant after inlining) and run each step for all of
// them before the next step: k dependency chains interleaved in program order, so the out-of-order core finds
// independent work within its scheduler (one chain per vector: ≈ 100 cycles per LSTM vector on Zen 3 against ≈ 70
// cycles of operations; KERNELS.md, ninth round).
// Each vector's operations are the same either way: so are its bits.
#define ACT_K 4

/// exp(a) for a ≤ 0 (a = -inf gives 0, NaN gives a: every step keeps a NaN operand). r = a - n·ln2 ∈ [-ln2/2, ln2/2];
/// exp(r) ≈ 1 + poly(r), the degree-5 minimax polynomial of Arm's optimized-routines v_expf (max error 1.45 + 0.5 ulp),
/// evaluated in a short dependency tree; 2^n is applied as two factors so results down to the denormal range are right.
/// In place on a[0..<k].
ACT_FN void f_exp_nonpos_k(int k, VF *a) {
    const VF magic = fset(12582912.0f);  // 1.5·2^23
    VF t[ACT_K], n[ACT_K], r[ACT_K], r2[ACT_K], p[ACT_K], q[ACT_K];
    PRNN_EACH(i, k) a[i] = fmaxx(fset(-104.0f), a[i]);  // exp(-104) < 2^-149 / 2: rounds to 0; NaN stays (second operand)
    PRNN_EACH(i, k) t[i] = ffma(a[i], fset(1.44269504088896341f), magic);
    PRNN_EACH(i, k) n[i] = fsub(t[i], magic);  // round(a·log2 e) ∈ [-150, 0]
    PRNN_EACH(i, k) r[i] = ffma(n[i], fset(-0.693359375f), a[i]);
    PRNN_EACH(i, k) r[i] = ffma(n[i], fset(2.12194440e-4f), r[i]);
    PRNN_EACH(i, k) r2[i] = fmul(r[i], r[i]);
    PRNN_EACH(i, k) p[i] = ffma(fset(0x1.0e4020p-7f), r[i], fset(0x1.573e2ep-5f));
    PRNN_EACH(i, k) q[i] = ffma(fset(0x1.555e66p-3f), r[i], fset(0x1.fffdb6p-2f));
    PRNN_EACH(i, k) q[i] = ffma(p[i], r2[i], q[i]);
    PRNN_EACH(i, k) a[i] = ffma(q[i], r2[i], fmul(fset(0x1.ffffecp-1f), r[i]));
    PRNN_EACH(i, k) a[i] = fadd(a[i], fset(1.0f));
    // y·2^n: one exact multiply while every lane's result is normal; otherwise two factors (the second rounds once
    // into the subnormal range). Both give identical bits for normal results, so the per-call choice is invisible.
    int subnormal = 0;
    PRNN_EACH(i, k) subnormal |= fany(flt(n[i], fset(-126.0f)));
    if (!subnormal) {
        PRNN_EACH(i, k) a[i] = fmul(a[i], fpow2(t[i]));
        return;
    }
    PRNN_EACH(i, k) {
        VF ht = ffma(n[i], fset(0.5f), magic);  // h = round(n/2) ∈ [-75, 0], as h + magic
        VF h = fsub(ht, magic);
        VF n2t = fadd(fsub(n[i], h), magic);    // (n - h) + magic, exact
        a[i] = fmul(fmul(a[i], fpow2(ht)), fpow2(n2t));
    }
}

/// a·b + c in two roundings: Eigen's pmadd as TF's wheels build it (without FMA), where matching TF's bits matters.
ACT_FN VF fmadd_tf(VF a, VF b, VF c) { return fadd(fmul(a, b), c); }

/// tanh: exactly TensorFlow 2.21's CPU tanh (Eigen's ptanh_float with EIGEN_FAST_MATH, as TF's wheels build it:
/// without FMA): x clamped to ±7.90738964080810547 (where the approximation is exactly ±1), the 9/8-degree rational
/// x·(1 + x²·P(x²))/Q(x²) with P, Q evaluated by Horner's rule in separate multiplies and adds, x³·P + x, one division.
/// Bitwise TF's result for every float tested (2^22 points over [-4, 4], ±0, the clamp, ±9, ±20; KERNELS.md, sixteenth
/// round) except subnormal inputs, which TF flushes to 0 (as the engine's work items do). Max error vs libm ≈ 4.9 ulp
/// (≈ 5.8e-7 relative). -0 → -0; NaN → NaN (x's payload: the clamp keeps it, every later step propagates it).
ACT_FN void f_tanh_k(int k, const VF *x, VF *y) {
    const VF c = fset(7.90738964080810547f), mc = fset(-7.90738964080810547f);
    VF xc[ACT_K], x2[ACT_K], x3[ACT_K], p[ACT_K], q[ACT_K];
    PRNN_EACH(i, k) xc[i] = fmaxx(mc, fminx(c, x[i]));  // NaN stays (second operand)
    PRNN_EACH(i, k) x2[i] = fmul(xc[i], xc[i]);
    PRNN_EACH(i, k) x3[i] = fmul(x2[i], xc[i]);
    PRNN_EACH(i, k) p[i] = fmadd_tf(fset(1.394553628e-8f), x2[i], fset(2.102733560e-5f));
    PRNN_EACH(i, k) q[i] = fmadd_tf(fset(8.015776984e-7f), x2[i], fset(3.326951409e-4f));
    PRNN_EACH(i, k) p[i] = fmadd_tf(p[i], x2[i], fset(3.520756727e-3f));
    PRNN_EACH(i, k) q[i] = fmadd_tf(q[i], x2[i], fset(2.597254514e-2f));
    PRNN_EACH(i, k) p[i] = fmadd_tf(p[i], x2[i], fset(1.340216100e-1f));
    PRNN_EACH(i, k) q[i] = fmadd_tf(q[i], x2[i], fset(4.673548340e-1f));
    PRNN_EACH(i, k) q[i] = fmadd_tf(q[i], x2[i], fset(1.0f));
    PRNN_EACH(i, k) p[i] = fmadd_tf(x3[i], p[i], xc[i]);
    PRNN_EACH(i, k) y[i] = fdiv(p[i], q[i]);
}

/// sigmoid: e = exp(-|x|); x < 0 → e/(1 + e), else 1/(1 + e). Correct into the denormal range (x ≈ -103); NaN → NaN
/// (-|x|'s: the exponential keeps it, see f_exp_nonpos_k).
ACT_FN void f_sigmoid_k(int k, const VF *x, VF *y) {
    const VF one = fset(1.0f);
    VF e[ACT_K];
    PRNN_EACH(i, k) e[i] = fbor(x[i], fsignmask);  // -|x|
    f_exp_nonpos_k(k, e);
    PRNN_EACH(i, k) y[i] = fdiv(fsel(flt(x[i], fset(0.0f)), e[i], one), fadd(one, e[i]));
}

/// tf_keras 2.x hard_sigmoid: x·0.2 + 0.5 (two roundings, no fma), then clip to [0, 1]. NaN stays NaN.
ACT_FN VF f_hard_sigmoid(VF x) {
    const VF zero = fset(0.0f), one = fset(1.0f);
    VF v = fadd(fmul(x, fset(0.2f)), fset(0.5f));
    v = fsel(flt(v, zero), zero, v);
    v = fsel(flt(one, v), one, v);
    return v;
}

/// relu: x > 0 ? x : +0; NaN stays NaN.
ACT_FN VF f_relu(VF x) {
    const VF zero = fset(0.0f);
    VF y = fsel(flt(zero, x), x, zero);
    return fsel(fisnan(x), x, y);
}

/// relu6: min(relu(x), 6) (TF's cwiseMax(0).cwiseMin(6): −0 → +0); NaN stays NaN.
ACT_FN VF f_relu6(VF x) {
    const VF six = fset(6.0f);
    VF y = f_relu(x);
    return fsel(flt(six, y), six, y);
}

/// leaky_relu with Keras's default alpha 0.2: x > 0 ? x : x·0.2f (TF's select; −0 → −0); NaN stays NaN.
ACT_FN VF f_leaky_relu(VF x) {
    VF y = fsel(flt(fset(0.0f), x), x, fmul(x, fset(0.2f)));
    return fsel(fisnan(x), x, y);
}

/// floor(t) for |t| < 2^22, as Eigen's pfloor: t rounded to an integer by adding and subtracting 1.5·2^23, then one
/// less where that rounded up. NaN stays NaN.
ACT_FN VF f_floor_small(VF t) {
    const VF magic = fset(12582912.0f);
    VF m = fsub(fadd(t, magic), magic);
    return fsel(flt(t, m), fsub(m, fset(1.0f)), m);
}

/// exp(x) over the whole float range as Eigen's pexp_float (TF's exp, without FMA): m = floor(x·log2 e + 1/2),
/// r = x - m·ln 2 in two parts, exp(r) by Eigen's degree-6 polynomial, times 2^m, applied as one factor where the
/// result is normal and as two otherwise (one rounding either way, as Eigen's ldexp); x > 88.723 → +inf (x clamped,
/// then max(result, x)), x < -104 → 0. ≈ 1 ulp. NaN → that NaN.
ACT_FN VF f_exp(VF x) {
    const VF magic = fset(12582912.0f), one = fset(1.0f);  // 1.5·2^23
    VF xc = fmaxx(fset(-104.0f), fminx(fset(88.723f), x));  // NaN stays (second operand of both)
    VF t = fmadd_tf(xc, fset(1.44269504088896341f), fset(0.5f));
    VF m = f_floor_small(t);                                // m ∈ [-150, 128]
    VF r = fmadd_tf(m, fset(-0.693359375f), xc);
    r = fmadd_tf(m, fset(2.12194440e-4f), r);
    VF r2 = fmul(r, r);
    VF pe = fmadd_tf(r2, fset(1.37449637986719608306884765625e-3f), fset(4.166965186595916748046875e-2f));
    VF po = fmadd_tf(r2, fset(8.36894474923610687255859375e-3f), fset(0.16666518151760101318359375f));
    pe = fmadd_tf(r2, pe, fset(0.49999988079071044921875f));
    VF y = fmadd_tf(r, po, pe);
    y = fmadd_tf(r2, y, fadd(r, one));
    if (!fany(flt(fset(87.0f), fband(x, fabsmask))))  // every lane's 2^m and result normal: one factor
        return fsel(fisnan(x), x, fmul(y, fpow2(fadd(m, magic))));
    VF ht = ffma(m, fset(0.5f), magic);  // h = round(m/2) ∈ [-75, 64], as h + magic
    VF h = fsub(ht, magic);
    VF m2t = fadd(fsub(m, h), magic);    // (m - h) + magic, exact
    y = fmaxx(fmul(fmul(y, fpow2(ht)), fpow2(m2t)), x);  // exp(x) > x: only +inf (clamped to 88.723) changes
    return fsel(fisnan(x), x, fsel(flt(x, fset(-104.0f)), fset(0.0f), y));
}

/// log(x) for a positive normal finite x, as Eigen's plog_float (TF's): x = m·2^e with m ∈ [√½, √2), f = m - 1
/// (exact), log(1 + f) ≈ f·P(f)/Q(f) (Eigen's degree 3/3 rational), + e·ln 2. ≈ 1 ulp against libm.
ACT_FN VF f_log_pos(VF x) {
    const VF one = fset(1.0f);
    VF e = fexponent(x);
    VF m = fbor(fband(x, fmantmask), one);              // x's mantissa, in [1, 2)
    MF lo = flt(m, fset(1.41421356237309505f));         // m < float(√2): f = m - 1; else m/2 - 1 and e + 1 (Eigen's
    VF f = fsel(lo, fsub(m, one), ffma(m, fset(0.5f), fset(-1.0f)));  // x < float(√½) test on [½, 1), doubled: exact)
    e = fsel(lo, e, fadd(e, one));
    VF p = fmadd_tf(fmadd_tf(fset(0.18256296349849254f), f, fset(1.0000000190281063f)), f, fset(1.0000000190281136f));
    p = fmul(f, p);
    VF q = fmadd_tf(fmadd_tf(fmadd_tf(fset(0.049616247954120038f), f, fset(0.59923249590823520f)), f, fset(1.4999999999999927f)), f,
                one);
    return fmadd_tf(e, fset(0.693147180559945309f), fdiv(p, q));
}

/// log1p(e) for 0 ≤ e < 2^104, as Eigen's generic_log1p (TF's): Kahan's u = 1 + e, e·(log u / (u - 1)), e where u = 1.
/// Other lanes (e = +inf, NaN) give NaN, which the caller selects away.
ACT_FN VF f_log1p_nonneg(VF e) {
    const VF one = fset(1.0f);
    VF u = fadd(e, one);
    VF big = fmul(e, fdiv(f_log_pos(u), fsub(u, one)));
    return fsel(flt(one, u), big, e);
}

/// erfc(x) as Eigen's generic_fast_erfc<float> (TF 2.21's erfc), x clamped to ±11: for x² ≤ 1, 1 + x·S(x²); else
/// exp(-x²)·(1 - lo(x²))·P(1/x²)/(x·Q(1/x²)) (+ 2 for x < 0), lo(x²) the rounding error of x² (by fma). < 5 ulps
/// (Eigen's figure). NaN → NaN.
ACT_FN VF f_erfc(VF x) {
    const VF one = fset(1.0f);
    x = fmaxx(fset(-11.0f), fminx(fset(11.0f), x));  // NaN stays (second operand)
    VF x2 = fmul(x, x);
    VF s = fmadd_tf(fset(5.61802298761904239654541015625e-04f), x2, fset(-4.91381669417023658752441406250e-03f));
    s = fmadd_tf(s, x2, fset(2.67075151205062866210937500000e-02f));
    s = fmadd_tf(s, x2, fset(-1.12800106406211853027343750000e-01f));
    s = fmadd_tf(s, x2, fset(3.76122951507568359375000000000e-01f));
    s = fmadd_tf(s, x2, fset(-1.12837910652160644531250000000e+00f));
    VF small = fmadd_tf(x, s, one);
    MF large = flt(one, x2);
    if (!fany(large)) return small;
    VF x2lo = ffma(x, x, fsub(fset(0.0f), x2));
    VF ehi = f_exp(fsub(fset(0.0f), x2));
    VF z = fsub(ehi, fmul(ehi, x2lo));
    VF q2 = fdiv(one, x2);
    VF num = fmadd_tf(fset(1.0208116471767425537109375e-01f), q2, fset(4.2920666933059692382812500e-01f));
    num = fmadd_tf(num, q2, fset(3.2379078865051269531250000e-01f));
    num = fmadd_tf(num, q2, fset(5.3971976041793823242187500e-02f));
    VF den = fmadd_tf(fset(1.7251677811145782470703125e-02f), q2, fset(3.9137163758277893066406250e-01f));
    den = fmadd_tf(den, q2, one);
    den = fmadd_tf(den, q2, fset(6.2173241376876831054687500e-01f));
    den = fmadd_tf(den, q2, fset(9.5662862062454223632812500e-02f));
    VF two = fsel(flt(x, fset(0.0f)), fset(2.0f), fset(0.0f));
    return fsel(large, fmadd_tf(z, fdiv(num, fmul(x, den)), two), small);
}

/// sigmoid as TF's (Eigen's scalar_logistic_op<float> packet path, without FMA): x clamped above at 16.6355324,
/// e = exp(x/2)² with exp by Eigen's degree-5 polynomial, e / (1 + e); 0 below -104. Used by swish; the sigmoid
/// activation itself is f_sigmoid_k. NaN → NaN.
ACT_FN VF f_sigmoid_tf(VF x) {
    const VF magic = fset(12582912.0f), one = fset(1.0f);
    VF h = fmul(fminx(fset(16.6355324f), x), fset(0.5f));  // NaN stays (second operand)
    VF t = fmadd_tf(h, fset(1.44269504088896341f), fset(0.5f));
    VF m = f_floor_small(t);  // m ∈ [-75, 12] where the result is not 0
    VF r = fmadd_tf(m, fset(-0.693359375f), h);
    r = fmadd_tf(m, fset(2.12194440e-4f), r);
    VF r2 = fmul(r, r);
    VF pe = fmadd_tf(r2, fset(4.1898667812347412109375e-2f), fset(0.49999141693115234375f));
    VF po = fmadd_tf(r2, fset(8.33471305668354034423828125e-3f), fset(0.16666877269744873046875f));
    VF p = fmadd_tf(r2, fmadd_tf(r, po, pe), fadd(r, one));
    VF e = fmul(p, fpow2(fadd(fmaxx(fset(-126.0f), m), magic)));
    e = fmul(e, e);
    return fsel(flt(x, fset(-104.0f)), fset(0.0f), fdiv(e, fadd(one, e)));
}

// The functions below return a NaN input itself (fsel on fisnan) wherever their operations would combine two NaNs:
// which operand's payload such an operation keeps is the compiler's choice, and may differ between ISA paths.

/// softsign: x / (|x| + 1) (TF's order).
ACT_FN VF f_softsign(VF x) { return fsel(fisnan(x), x, fdiv(x, fadd(fband(x, fabsmask), fset(1.0f)))); }

/// softplus as TF's kernel computes it: threshold t = log(ε) + 2 = -13.942385; x > -t → x, x < t → exp(x), else
/// log1p(exp(x)). NaN → NaN.
ACT_FN VF f_softplus(VF x) {
    const VF t = fset(-13.942385f), mt = fset(13.942385f);
    VF e = f_exp(x);
    VF mid = f_log1p_nonneg(e);
    VF y = fsel(flt(x, t), e, mid);
    return fsel(fisnan(x), x, fsel(flt(mt, x), x, y));
}

/// elu (alpha 1) as TF computes it: x < 0 ? exp(x) - 1 : x (-0 and NaN stay).
ACT_FN VF f_elu(VF x) {
    return fsel(flt(x, fset(0.0f)), fsub(f_exp(x), fset(1.0f)), x);
}

/// selu as TF computes it: x < 0 ? scale·alpha·(exp(x) - 1) : scale·x, both constants rounded to float.
ACT_FN VF f_selu(VF x) {
    VF neg = fmul(fset(1.7580993408473768599402175208123f), fsub(f_exp(x), fset(1.0f)));
    return fsel(flt(x, fset(0.0f)), neg, fmul(fset(1.0507009873554804934193349852946f), x));
}

/// swish (tf.nn.silu): x · sigmoid(x), with TF's sigmoid (f_sigmoid_tf).
ACT_FN VF f_swish(VF x) { return fsel(fisnan(x), x, fmul(x, f_sigmoid_tf(x))); }

/// gelu (approximate = False) as TF 2.21 computes it: (0.5·x) · erfc(-x · 0.70710677), with TF's (Eigen's) erfc.
ACT_FN VF f_gelu(VF x) {
    VF a = fmul(fset(0.5f), x);
    VF b = fmul(fsub(fset(0.0f), x), fset(0.70710678118654752f));
    return fsel(fisnan(x), x, fmul(a, f_erfc(b)));
}

/// mish as tf_keras computes it: x · tanh(softplus(x)), with this file's softplus and (TF's) tanh.
ACT_FN VF f_mish(VF x) {
    VF s = f_softplus(x), t;
    f_tanh_k(1, &s, &t);
    return fsel(fisnan(x), x, fmul(x, t));
}

// ---------------------------------------------------------------- double
/// exp(a) for a ≤ 0: r = a - n·ln2 (fdlibm hi/lo split), Taylor series to r^13 (truncation < 1e-17 on |r| ≤ ln2/2),
/// 2^n applied as two factors (denormal results are right).
ACT_FN VD d_exp_nonpos(VD a) {
    const VD lo = dset(-746.0);
    const VD magic = dset(6755399441055744.0);  // 1.5·2^52
    a = dsel(dlt(a, lo), lo, a);
    VD t = dfma(a, dset(1.4426950408889634074), magic);
    VD n = dsub(t, magic);  // ∈ [-1076, 0]
    VD r = dfma(n, dset(-6.93147180369123816490e-01), a);
    r = dfma(n, dset(-1.90821492927058770002e-10), r);
    VD p = dset(1.0 / 6227020800.0);
    p = dfma(p, r, dset(1.0 / 479001600.0));
    p = dfma(p, r, dset(1.0 / 39916800.0));
    p = dfma(p, r, dset(1.0 / 3628800.0));
    p = dfma(p, r, dset(1.0 / 362880.0));
    p = dfma(p, r, dset(1.0 / 40320.0));
    p = dfma(p, r, dset(1.0 / 5040.0));
    p = dfma(p, r, dset(1.0 / 720.0));
    p = dfma(p, r, dset(1.0 / 120.0));
    p = dfma(p, r, dset(1.0 / 24.0));
    p = dfma(p, r, dset(1.0 / 6.0));
    p = dfma(p, r, dset(0.5));
    p = dfma(p, r, dset(1.0));
    VD y = dfma(p, r, dset(1.0));
    if (!dany(dlt(n, dset(-1022.0)))) return dmul(y, dpow2(t));  // see f_exp_nonpos
    VD ht = dfma(n, dset(0.5), magic);
    VD h = dsub(ht, magic);
    VD n2t = dadd(dsub(n, h), magic);
    y = dmul(y, dpow2(ht));
    y = dmul(y, dpow2(n2t));
    return y;
}

/// tanh: |x| < 0.625 → Cephes rational x + x·s·P(s)/Q(s), s = x²; otherwise (1 - e)/(1 + e), e = exp(-2|x|).
ACT_FN VD d_tanh(VD x) {
    const VD one = dset(1.0);
    VD sign = dband(x, dsignmask), ax = dband(x, dabsmask);
    VD s = dmul(x, x);
    VD p = dfma(dset(-9.64399179425052238628e-1), s, dset(-9.92877231001918586564e1));
    p = dfma(p, s, dset(-1.61468768441708447952e3));
    VD q = dadd(s, dset(1.12811678491632931402e2));
    q = dfma(q, s, dset(2.23548839060100448583e3));
    q = dfma(q, s, dset(4.84406305325125486048e3));
    VD small = dfma(dmul(s, ddiv(p, q)), x, x);
    VD e = d_exp_nonpos(dmul(ax, dset(-2.0)));
    VD large = ddiv(dsub(one, e), dadd(one, e));
    VD y = dsel(dlt(ax, dset(0.625)), small, large);
    y = dbor(dband(y, dabsmask), sign);
    return dsel(disnan(x), x, y);
}

ACT_FN VD d_sigmoid(VD x) {
    const VD one = dset(1.0);
    VD e = d_exp_nonpos(dbor(x, dsignmask));
    VD num = dsel(dlt(x, dset(0.0)), e, one);
    VD y = ddiv(num, dadd(one, e));
    return dsel(disnan(x), x, y);
}

ACT_FN VD d_hard_sigmoid(VD x) {
    const VD zero = dset(0.0), one = dset(1.0);
    VD v = dadd(dmul(x, dset(0.2)), dset(0.5));
    v = dsel(dlt(v, zero), zero, v);
    v = dsel(dlt(one, v), one, v);
    return v;
}

ACT_FN VD d_relu(VD x) {
    const VD zero = dset(0.0);
    VD y = dsel(dlt(zero, x), x, zero);
    return dsel(disnan(x), x, y);
}

ACT_FN VD d_relu6(VD x) {
    const VD six = dset(6.0);
    VD y = d_relu(x);
    return dsel(dlt(six, y), six, y);
}

/// TF's LeakyRelu takes alpha as a float attribute: in double it is (double)0.2f.
ACT_FN VD d_leaky_relu(VD x) {
    VD y = dsel(dlt(dset(0.0), x), x, dmul(x, dset((double)0.2f)));
    return dsel(disnan(x), x, y);
}

ACT_FN VD d_lanewise(VD x, double (*fn)(double)) {
    double b[DLANES];
    dstore(b, x);
    for (int i = 0; i < DLANES; i++) b[i] = fn(b[i]);
    return dload(b);
}

ACT_FN VD d_softsign(VD x) { return dsel(disnan(x), x, ddiv(x, dadd(dband(x, dabsmask), dset(1.0)))); }

/// The double activations that need exp over the whole range use libm's.
ACT_FN VD d_softplus(VD x) {
    const VD t = dset(-34.043653389117154), mt = dset(34.043653389117154);  // log(2^-52) + 2
    VD e = d_lanewise(x, exp);
    VD mid = d_lanewise(e, log1p);
    VD y = dsel(dlt(x, t), e, mid);
    return dsel(disnan(x), x, dsel(dlt(mt, x), x, y));
}

ACT_FN VD d_elu(VD x) { return dsel(dlt(x, dset(0.0)), dsub(d_lanewise(x, exp), dset(1.0)), x); }  // NaN: x

ACT_FN VD d_selu(VD x) {
    VD neg = dmul(dset(1.7580993408473768599402175208123), dsub(d_lanewise(x, exp), dset(1.0)));
    return dsel(dlt(x, dset(0.0)), neg, dmul(dset(1.0507009873554804934193349852946), x));
}

ACT_FN VD d_exponential(VD x) { return dsel(disnan(x), x, d_lanewise(x, exp)); }

ACT_FN VD d_swish(VD x) { return dsel(disnan(x), x, dmul(x, d_sigmoid(x))); }

ACT_FN VD d_mish(VD x) { return dsel(disnan(x), x, dmul(x, d_tanh(d_softplus(x)))); }

ACT_FN VD d_gelu(VD x) {
    VD a = dmul(dset(0.5), x);
    return dsel(disnan(x), x, dmul(a, d_lanewise(dmul(dsub(dset(0.0), x), dset(0.7071067811865476)), erfc)));
}

// ---------------------------------------------------------------- the name → function table
/// The activations beyond tanh and sigmoid (whose k-vector functions interleave chains) and linear, as
/// X(enum case, float function, double function). Every element loop and gate kernel maps names through these lists
/// (activation_loops.h, gates_impl.h's f_more_act): a new activation is one line here.
#define PRNN_MORE_ACTIVATIONS(X) \
    X(PRNN_ACT_SOFTSIGN, f_softsign, d_softsign) \
    X(PRNN_ACT_SOFTPLUS, f_softplus, d_softplus) \
    X(PRNN_ACT_ELU, f_elu, d_elu) \
    X(PRNN_ACT_SELU, f_selu, d_selu) \
    X(PRNN_ACT_EXPONENTIAL, f_exp, d_exponential) \
    X(PRNN_ACT_SWISH, f_swish, d_swish) \
    X(PRNN_ACT_GELU, f_gelu, d_gelu) \
    X(PRNN_ACT_MISH, f_mish, d_mish) \
    X(PRNN_ACT_RELU6, f_relu6, d_relu6) \
    X(PRNN_ACT_LEAKY_RELU, f_leaky_relu, d_leaky_relu)
/// PRNN_MORE_ACTIVATIONS plus the two that the gate kernels inline (hard sigmoid, relu).
#define PRNN_ONE_VECTOR_ACTIVATIONS(X) \
    X(PRNN_ACT_HARD_SIGMOID, f_hard_sigmoid, d_hard_sigmoid) \
    X(PRNN_ACT_RELU, f_relu, d_relu) \
    PRNN_MORE_ACTIVATIONS(X)
