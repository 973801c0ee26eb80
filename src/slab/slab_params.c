// SPDX-License-Identifier: MIT
/*
 * The slab layer's boot parameters (mm/slub.c __setup handlers, 6.18):
 * slub_min_order=, slub_max_order=, slub_min_objects= (and their slab_
 * names), slab_nomerge/slab_merge, slub_debug= (parsed in slub_debug.c),
 * and kslab's own kslab.sheaves=. The order parameters are kept as the
 * list of steps the command line gave, replayed in order against the
 * booted machine's MAX_PAGE_ORDER (max lowers min, min raises max), as
 * the kernel's handlers run in command-line order.
 */
#include <stdlib.h>
#include <string.h>
#include "slab/slab_internal.h"

/* ---- boot parameters ----------------------------------------------------- */

static int set_int_param(const char *name, const char *val, int *out, int max)
{
	unsigned long long v;

	if (!val || ksl_parse_uint(val, &v) || v > (unsigned long long)max)
		return ksl_param_invalid(name, val, "expected a number 0..%d",
					 max);
	*out = (int)v;
	return 0;
}

/*
 * slub_min_order= and slub_max_order= act in command-line order, as
 * 6.18's __setup handlers: a larger min raises max, a max lowers min,
 * max is clamped to MAX_PAGE_ORDER (known once the machine is laid out,
 * so the steps are replayed by ksl_slub_orders()). Any number is taken,
 * as get_option() takes it; above 31 it acts as 31, which for every
 * cache size below 256 MiB gives the same order as any larger value.
 */
static int order_param(const char *name, const char *val, bool max)
{
	unsigned long long v;
	struct ksl_order_op *op;

	if (!val || ksl_parse_uint(val, &v))
		return ksl_param_invalid(name, val, "expected a number");
	if (ksl_slab_cfg.nr_order_ops == KSL_ORDER_OPS) {
		/* keep the last ones: drop the oldest step */
		memmove(&ksl_slab_cfg.order_ops[0], &ksl_slab_cfg.order_ops[1],
			(KSL_ORDER_OPS - 1) * sizeof(*op));
		ksl_slab_cfg.nr_order_ops--;
	}
	op = &ksl_slab_cfg.order_ops[ksl_slab_cfg.nr_order_ops++];
	op->max = max;
	op->order = v > 31 ? 31 : (unsigned int)v;
	if (max)
		ksl_slab_cfg.max_order = (int)op->order;
	else
		ksl_slab_cfg.min_order = (int)op->order;
	return 0;
}

static int param_min_order(const char *name, const char *val)
{
	return order_param(name, val, false);
}

static int param_max_order(const char *name, const char *val)
{
	return order_param(name, val, true);
}

static int param_min_objects(const char *name, const char *val)
{
	return set_int_param(name, val, &ksl_slab_cfg.min_objects, 1 << 20);
}

static int param_nomerge(const char *name, const char *val)
{
	if (val)
		return ksl_param_invalid(name, val, "takes no value");
	ksl_slab_cfg.nomerge = true;
	return 0;
}

static int param_merge(const char *name, const char *val)
{
	if (val)
		return ksl_param_invalid(name, val, "takes no value");
	ksl_slab_cfg.nomerge = false;
	return 0;
}

/* kslab.sheaves=6.18 (default: only caches that ask) | all */
static int param_sheaves(const char *name, const char *val)
{
	if (val && !strcmp(val, "all"))
		ksl_slab_cfg.sheaves_all = true;
	else if (val && !strcmp(val, "6.18"))
		ksl_slab_cfg.sheaves_all = false;
	else
		return ksl_param_invalid(name, val,
					 "expected all or 6.18 (the default)");
	return 0;
}

const struct ksl_param ksl_slab_params[] = {
	{ "kslab.sheaves", param_sheaves },
	{ "slub_min_order", param_min_order },
	{ "slab_min_order", param_min_order },
	{ "slub_max_order", param_max_order },
	{ "slab_max_order", param_max_order },
	{ "slub_min_objects", param_min_objects },
	{ "slab_min_objects", param_min_objects },
	{ "slab_nomerge", param_nomerge },
	{ "slub_nomerge", param_nomerge },
	{ "slab_merge", param_merge },
	{ "slub_merge", param_merge },
	{ "slub_debug", ksl_param_slub_debug },
	{ "slab_debug", ksl_param_slub_debug },
	{ NULL, NULL },
};

void ksl_slab_config_reset(void)
{
	ksl_slab_cfg.min_order = -1;
	ksl_slab_cfg.max_order = -1;
	ksl_slab_cfg.nr_order_ops = 0;
	ksl_slab_cfg.min_objects = -1;
	ksl_slab_cfg.nomerge = false;
	ksl_slub_debug_reset();
	ksl_slab_cfg.sheaves_all = false;
}

int ksl_slab_validate(void)
{
	return 0;
}

/* The steps of the command line from the defaults (0, costly order). */
static void ksl_slub_orders(unsigned int *min, unsigned int *max)
{
	*min = 0;
	*max = ksl_min(PAGE_ALLOC_COSTLY_ORDER, ksl_mm.max_order);
	for (unsigned int i = 0; i < ksl_slab_cfg.nr_order_ops; i++) {
		const struct ksl_order_op *op = &ksl_slab_cfg.order_ops[i];

		if (op->max) {
			*max = ksl_min(op->order, ksl_mm.max_order);
			if (*min > *max)
				*min = *max;
		} else {
			*min = op->order;
			if (*min > *max)
				*max = *min;
		}
	}
}

unsigned int ksl_slub_max_order(void)
{
	unsigned int min, max;

	ksl_slub_orders(&min, &max);
	return max;
}

unsigned int ksl_slub_min_order(void)
{
	unsigned int min, max;

	ksl_slub_orders(&min, &max);
	return min;
}

/* 0: computed from the CPUs at each cache creation */
unsigned int ksl_slub_min_objects(void)
{
	return ksl_slab_cfg.min_objects < 0 ?
		       0 :
		       (unsigned int)ksl_slab_cfg.min_objects;
}
