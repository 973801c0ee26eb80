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
	char line[FUZZ_BOOT_MAX + 1];
	struct kslab_arch_info ai;
	int rc;

	if (size > FUZZ_BOOT_MAX)
		size = FUZZ_BOOT_MAX;
	memcpy(line, data, size);
	line[size] = '\0';
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
