/* SPDX-License-Identifier: MIT */
/* Small compiler helpers shared by every layer (the kernel's compiler.h). */
#ifndef KSLAB_LIB_COMPILER_H
#define KSLAB_LIB_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ksl_min(a, b) ((a) < (b) ? (a) : (b))
#define ksl_max(a, b) ((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KSL_ALIGN(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define KSL_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define KSL_IS_POW2(x) ((x) != 0 && ((x) & ((x)-1)) == 0)
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/* built with -fsanitize=address (GCC or clang): slab objects are poisoned */
#if defined(__SANITIZE_ADDRESS__)
#define KSLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSLAB_ASAN 1
#endif
#endif
#ifdef KSLAB_ASAN
#define ksl_no_asan __attribute__((no_sanitize_address))
#else
#define ksl_no_asan
#endif

/* find last set bit, 1-based; 0 for 0 (the kernel's fls/fls64) */
static inline int ksl_fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int ksl_fls64(unsigned long long x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned long ksl_rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << (63 - __builtin_clzl(n)) : 0;
}

static inline unsigned long ksl_int_sqrt(unsigned long x)
{
	unsigned long r = 0, b = 1UL << 62;

	while (b > x)
		b >>= 2;
	while (b) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

#endif /* KSLAB_LIB_COMPILER_H */
