// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the boot command line. kslab_boot() on the input
 * (cut to 512 bytes, NUL-terminated), then kslab_shutdown() when it
 * booted. A refused line must leave nothing booted; an accepted one must
 * report a command line and an architecture.
 *
 * Leak checks stay on for every input. libFuzzer runs LeakSanitizer after
 * an input only when it made more host allocations than it freed, and
 * gives per-input checks up after 1000 such inputs; a full pass costs
 * 70 ms or more, against well under 1 ms for a boot. What a boot keeps on
 * purpose made nearly every booting input such an input:
 * - the dead-cache graveyard (src/slab/slab_dead.c) takes about 110
 *   kmalloc caches a boot until it holds 4096; LLVMFuzzerInitialize()
 *   fills it, so that a boot then frees about as many dead caches as it
 *   adds (not exactly the same number of host blocks: a cache of one
 *   boot's configuration is not made of as many as the one it evicts);
 * - the CPU-owner array of each boot (src/mm/cpu.c), one host block, is
 *   never freed (a thread may still point into it).
 * So in each input the harness frees KEPT_PER_INPUT blocks of a bank
 * of its own: an input that keeps up to that many (2 at most was seen
 * over a grown corpus: the array and the graveyard's give-and-take) goes
 * without a pass, one that keeps more still gets it. A smaller leak is
 * reported by the LeakSanitizer pass at exit (the stack of the leaked
 * block's allocation), as every leak was after libFuzzer's first 1000.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>
#include "fuzz_graveyard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BOOT_MAX 512

/* host blocks an input may keep without a LeakSanitizer pass (above) */
#define KEPT_PER_INPUT 3
/* blocks freed in their stead; a refill costs one LeakSanitizer pass */
#define BANK_SIZE (1 << 20)

static void *bank[BANK_SIZE];
static unsigned int bank_left;

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void fill_bank(void)
{
	while (bank_left < BANK_SIZE)
		if (!(bank[bank_left++] = malloc(1)))
			abort();
}

/* free KEPT_PER_INPUT bank blocks */
static void balance_input(void)
{
	for (int i = 0; i < KEPT_PER_INPUT; i++) {
		if (!bank_left)
			fill_bank();
		free(bank[--bank_left]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (kslab_boot("mem=64M nr_cpus=1"))
		abort();
	fuzz_fill_graveyard();
	kslab_shutdown();
	fill_bank();
	return 0;
}

/* a size as memparse() reads it, in bytes, saturated at 2^64 - 1 */
static unsigned long long mem_bytes(const char *p, const char **end)
{
	char *e;
	unsigned long long v = strtoull(p, &e, 0);
	int shift = 0;

	switch (*e | 0x20) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	case 'p':
		shift = 50;
		break;
	case 'e':
		shift = 60;
		break;
	}
	*end = shift ? e + 1 : e;
	if (shift && v > (~0ULL >> shift))
		return ~0ULL;
	return v << shift;
}

/*
 * Lines whose machine would reach past 2 GiB of physical address space
 * are left out: the boot lays out a struct page per page frame up to the
 * highest one (holes included), which under ASan soon passes libFuzzer's
 * memory limit (memmap=13K@413G asked for 6.9 GB of struct pages). Their
 * parsing is the same as for small sizes.
 */
static int too_big(const char *line)
{
	static const char *const keys[] = { "mem=", "memmap=" };
	const unsigned long long limit = 2ULL << 30;

	for (int k = 0; k < 2; k++)
		for (const char *p = strstr(line, keys[k]); p;
		     p = strstr(p + 1, keys[k])) {
			const char *e;
			unsigned long long size = mem_bytes(p + strlen(keys[k]),
							    &e),
					   start = 0;

			if (*e == '@' || *e == '$' || *e == '#' || *e == '!')
				start = mem_bytes(e + 1, &e);
			if (size > limit || start > limit - size)
				return 1;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a small machine unless the input says otherwise (later words win):
	 * the host's defaults would lay out all of its RAM under ASan */
	static const char base[] = "mem=256M nr_cpus=2 ";
	char line[sizeof(base) + FUZZ_BOOT_MAX];
	struct kslab_arch_info ai;
	int rc;

	if (size > FUZZ_BOOT_MAX)
		size = FUZZ_BOOT_MAX;
	memcpy(line, base, sizeof(base) - 1);
	memcpy(line + sizeof(base) - 1, data, size);
	line[sizeof(base) - 1 + size] = '\0';
	if (too_big(line))
		return 0;
	balance_input();
	rc = kslab_boot(line);
	if (rc) {
		if (rc != -EINVAL && rc != -ENOMEM)
			abort();
		if (kslab_booted())
			abort();
		return 0;
	}
	if (!kslab_booted() || !kslab_cmdline())
		abort();
	if (kslab_arch_info(&ai) || !ai.page_size || !ai.nr_cpus)
		abort();
	kslab_shutdown();
	if (kslab_booted())
		abort();
	return 0;
}
