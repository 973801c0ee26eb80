// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the boot command line. kslab_boot() on the input
 * (cut to 512 bytes, NUL-terminated), then kslab_shutdown() when it
 * booted. A refused line must leave nothing booted; an accepted one must
 * report a command line and an architecture.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BOOT_MAX 512

/*
 * Lines asking for more than 2 GiB of RAM are left out: the boot touches
 * a struct page per page, which under ASan soon passes libFuzzer's
 * memory limit. Their parsing is the same as for small sizes.
 */
static int too_big(const char *line)
{
	static const char *const keys[] = { "mem=", "memmap=" };

	for (int k = 0; k < 2; k++)
		for (const char *p = strstr(line, keys[k]); p;
		     p = strstr(p + 1, keys[k])) {
			char *e;
			unsigned long long v =
				strtoull(p + strlen(keys[k]), &e, 0);
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
			case 'p':
			case 'e':
				return 1;
			}
			if (v > (2ULL << 30) >> shift)
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
