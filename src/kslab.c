// SPDX-License-Identifier: MIT
/*
 * The machine's life cycle, above every layer (the kernel's start_kernel):
 * parse the command line with every layer's parameters, validate, then
 * bring the layers up bottom to top, and down top to bottom.
 *
 *   kslab_boot(cmdline)   reset configs -> parse -> validate -> init
 *   kslab_shutdown()      shutdown in reverse; the process may boot again
 *
 * An allocator call before any boot boots from $KSLAB_BOOT, or from the
 * host's defaults when that is unset or refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mm/mm_internal.h"
#include "slab/slab_internal.h"
#include "kmalloc/kmalloc_internal.h"
#include "dma/dma_internal.h"
#include "mm/fault_inject.h"

static const struct ksl_param ksl_no_params[] = { { NULL, NULL } };

static void ksl_no_config_reset(void)
{
}

static int fault_init(void)
{
	ksl_fault_boot_apply();
	return 0;
}

struct ksl_layer {
	const char *name;
	const struct ksl_param *params;
	void (*config_reset)(void);
	int (*validate)(void);
	int (*init)(void);
	void (*shutdown)(void);
};

static const struct ksl_layer ksl_layers[] = {
	/* fault injection's boot parameters, applied before the first
	 * allocation; every knob back to its default at shutdown */
	{ "fault", ksl_fault_params, ksl_fault_config_reset, NULL, fault_init,
	  ksl_fault_shutdown },
	{ "mm", ksl_mm_params, ksl_mm_config_reset, ksl_mm_validate,
	  ksl_mm_init, ksl_mm_shutdown },
	{ "slab", ksl_slab_params, ksl_slab_config_reset, ksl_slab_validate,
	  ksl_slab_init, ksl_slab_shutdown },
	{ "kmalloc", ksl_kmalloc_params, ksl_kmalloc_config_reset,
	  ksl_kmalloc_validate, ksl_kmalloc_init, ksl_kmalloc_shutdown },
	/* its validate seeds the random numbers (before the slab layer's
	 * init); its init is init_freelist_randomization(), which follows
	 * the kmalloc caches */
	{ "slab hardening", ksl_harden_params, ksl_harden_config_reset,
	  ksl_harden_validate, ksl_harden_init, ksl_harden_shutdown },
	{ "dma", ksl_dma_params, ksl_dma_config_reset, ksl_dma_validate,
	  ksl_dma_init, ksl_dma_shutdown },
	/* subsys_initcall: the memdup_user and msg_msg kmem_buckets (6.11
	 * on), after every cache the boot makes itself */
	{ "kmem buckets", ksl_no_params, ksl_no_config_reset, NULL,
	  ksl_kmem_buckets_init, ksl_kmem_buckets_shutdown },
};
#define NR_LAYERS ARRAY_SIZE(ksl_layers)

struct ksl_show {
	const char *name;
	void (*show)(FILE *out);
};

static const struct ksl_show ksl_shows[] = {
	{ "buddyinfo", ksl_show_buddyinfo }, { "zoneinfo", ksl_show_zoneinfo },
	{ "meminfo", ksl_show_meminfo },     { "zones", ksl_show_zones },
	{ "slabinfo", ksl_show_slabinfo },   { "slabs", ksl_show_slabs },
	{ "swiotlb", ksl_show_swiotlb },     { "kmalloc", ksl_show_kmalloc },
};

static pthread_mutex_t ksl_boot_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ksl_boot_cmdline;

static void shutdown_from(size_t nr)
{
	while (nr--)
		ksl_layers[nr].shutdown();
}

/* the effective words and the defaults the boot filled in, one line */
static char *normalised_cmdline(const char *effective)
{
	size_t len = strlen(effective) + 256;
	char *line = malloc(len);

	if (!line)
		return NULL;
	snprintf(line, len, "%s", effective);
	ksl_mm_cmdline_defaults(line, len);
	if (line[0] == ' ')
		memmove(line, line + 1, strlen(line));
	return line;
}

static int init_layers(const char *cmdline)
{
	int ret;

	for (size_t i = 0; i < NR_LAYERS; i++) {
		ret = ksl_layers[i].init();
		if (ret) {
			shutdown_from(i + 1);
			ksl_printk(
				"kslab_boot(\"%s\"): the %s layer failed (%s); not booted",
				cmdline ? cmdline : "", ksl_layers[i].name,
				ret == -ENOMEM ? "out of memory" : "error");
			return ret;
		}
	}
	return 0;
}

static int do_boot(const char *cmdline)
{
	const struct ksl_param *tables[NR_LAYERS];
	char *effective = NULL, *line;
	size_t i;
	int ret;

	for (i = 0; i < NR_LAYERS; i++) {
		ksl_layers[i].config_reset();
		tables[i] = ksl_layers[i].params;
	}
	ret = ksl_parse_cmdline(cmdline, tables, NR_LAYERS, &effective);
	for (i = 0; !ret && i < NR_LAYERS; i++)
		ret = ksl_layers[i].validate ? ksl_layers[i].validate() : 0;
	line = ret ? NULL : normalised_cmdline(effective);
	free(effective);
	if (!ret && !line)
		ret = -ENOMEM;
	if (!ret)
		ret = init_layers(cmdline);
	if (ret) {
		free(line);
		return ret;
	}
	free(ksl_boot_cmdline);
	ksl_boot_cmdline = line;
	return 0;
}

int kslab_boot(const char *cmdline)
{
	int ret;

	pthread_mutex_lock(&ksl_boot_lock);
	if (ksl_mm.booted) {
		ksl_printk(
			"kslab_boot: a machine is already booted (%s); call kslab_shutdown() first",
			ksl_boot_cmdline ? ksl_boot_cmdline : "");
		ret = -EBUSY;
	} else {
		ret = do_boot(cmdline);
	}
	pthread_mutex_unlock(&ksl_boot_lock);
	return ret;
}

void kslab_shutdown(void)
{
	pthread_mutex_lock(&ksl_boot_lock);
	if (ksl_mm.booted)
		shutdown_from(NR_LAYERS);
	free(ksl_boot_cmdline);
	ksl_boot_cmdline = NULL;
	pthread_mutex_unlock(&ksl_boot_lock);
}

bool kslab_booted(void)
{
	return ksl_mm.booted;
}

const char *kslab_cmdline(void)
{
	return ksl_mm.booted ? ksl_boot_cmdline : NULL;
}

void ksl_ensure_booted_slow(void)
{
	const char *env = getenv("KSLAB_BOOT");

	pthread_mutex_lock(&ksl_boot_lock);
	if (!ksl_mm.booted && do_boot(env) && env) {
		ksl_printk(
			"KSLAB_BOOT=\"%s\" refused; booting with the host's defaults",
			env);
		do_boot(NULL);
	}
	pthread_mutex_unlock(&ksl_boot_lock);
	if (!ksl_mm.booted) {
		ksl_printk("cannot boot a machine; giving up");
		abort();
	}
}

int kslab_show(const char *what, FILE *out)
{
	if (!what || !out)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(ksl_shows); i++)
		if (!strcmp(what, ksl_shows[i].name)) {
			ksl_ensure_booted();
			ksl_shows[i].show(out);
			return 0;
		}
	ksl_printk("kslab_show: unknown view '%s'", what);
	return -EINVAL;
}
