/* SPDX-License-Identifier: MIT */
/* Kernel-style one-line messages on stderr (see printk.c). */
#ifndef KSLAB_LIB_PRINTK_H
#define KSLAB_LIB_PRINTK_H

#include <stdatomic.h>
#include <stdbool.h>

void ksl_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool ksl_ratelimit(atomic_uint *counter, unsigned int burst);
const char *ksl_comm(void);

#define ksl_pr_err(...) ksl_printk(__VA_ARGS__)
#define ksl_pr_warn(...) ksl_printk(__VA_ARGS__)
#define ksl_pr_info(...) ksl_printk(__VA_ARGS__)

/* print at most `burst` times from this call site */
#define ksl_pr_ratelimited(burst, ...)                 \
	do {                                           \
		static atomic_uint __ksl_rl;           \
		if (ksl_ratelimit(&__ksl_rl, (burst))) \
			ksl_printk(__VA_ARGS__);       \
	} while (0)

#endif /* KSLAB_LIB_PRINTK_H */
