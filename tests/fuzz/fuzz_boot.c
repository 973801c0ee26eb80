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
