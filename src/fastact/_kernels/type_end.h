/* Ends one instantiation of the type-generic headers (activations_impl.h,
 * axis_impl.h): undefines the names activations.h defines
 * before each, so the next can define them again.  No include guard: it
 * is included once per instantiation. */
#undef FA_T
#undef FA_IS_FLOAT
#undef FA_IS_FD
#undef FA_F
#undef FA_K
#undef FA_PICK
#undef FA_EXP_NEG_SCALE
