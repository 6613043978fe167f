// The A-packing driver shared by pack_avx2.c and pack_avx512.c (as gates_impl.h is for the gate kernels): packs
// A[mc, kc] (row stride lda) into register-tile panels, tile by tile as row_tile(rows left) sizes them — the tile at
// row i0 with mr rows starts at dst + i0·kc and holds element (r, k) at k·mr + r. The including file defines
// PACK_LANES (8 or 16), PACK_TARGET, PACK_NAME and transpose_store(R, src, lda, dst) (R = 1…PACK_LANES rows, PACK_LANES
// k) before including this.

PACK_TARGET void PACK_NAME(int mc, int kc, const float *A, int lda, float *dst, int (*row_tile)(int rows_left)) {
    for (int i0 = 0, mr; i0 < mc; i0 += mr) {
        mr = row_tile(mc - i0);
        float *p = dst + (size_t)i0 * kc;
        const float *src = A + (size_t)i0 * lda;
        int k = 0;
        // A constant row count per instance: the transpose's vectors stay in registers.
#define PACK(R) for (; k + PACK_LANES <= kc; k += PACK_LANES) transpose_store(R, src + k, (size_t)lda, p + (size_t)k * R)
        switch (mr) {
#if PACK_LANES == 16
        case 16: PACK(16); break; case 15: PACK(15); break; case 14: PACK(14); break; case 13: PACK(13); break;
        case 12: PACK(12); break; case 11: PACK(11); break; case 10: PACK(10); break; case 9: PACK(9); break;
#endif
        case 8: PACK(8); break; case 7: PACK(7); break; case 6: PACK(6); break; case 5: PACK(5); break;
        case 4: PACK(4); break; case 3: PACK(3); break; case 2: PACK(2); break; case 1: PACK(1); break; default: break;
        }
#undef PACK
        for (int r = 0; r < mr; r++)  // the k tail (and any taller tile) element by element
            for (int kk = k; kk < kc; kk++) p[(size_t)kk * mr + r] = src[(size_t)r * lda + kk];
    }
}
