// SPDX-License-Identifier: MIT
/*
 * <kslab/prefixed.h> alone (KSLAB_PREFIXED_ONLY): the kmem_buckets and
 * user-copy calls under their kslab_ names, before and after 6.11; and
 * the public headers' functions against prefixed.h: every kernel-named
 * KSLAB_API function has a kslab_ name (kslab_NAME, or for __NAME
 * kslab_NAME as kslab_kmalloc() is __kmalloc()) or is on the list of
 * those left out on purpose below, so that a function added to a public
 * header cannot be left out by mistake.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#define KSLAB_PREFIXED_ONLY
#include <kslab/kslab.h>

#ifndef KSLAB_DATADIR
#define KSLAB_DATADIR "data"
#endif
#define INCLUDE KSLAB_DATADIR "/../include/kslab/"

#define NR(a) (sizeof(a) / sizeof((a)[0]))
#define X86 "arch=x86_64 mem=512M nr_cpus=2 "

static bool is_err(const void *p)
{
	return (unsigned long)p >= (unsigned long)-4095;
}

static unsigned long in_use(const char *name)
{
	struct kslab_cache_usage u;

	assert_int_equal(kslab_cache_usage(kslab_find_cache(name), &u), 0);
	return u.in_use;
}

static int shutdown_teardown(void **state)
{
	(void)state;
	if (kslab_booted())
		kslab_shutdown();
	return 0;
}

/* ---- the calls ----------------------------------------------------------- */

static void test_buckets_prefixed(void **state)
{
	struct kslab_kmem_buckets *b;
	unsigned long before;
	char *p, *q;

	(void)state;
	assert_int_equal(kslab_boot(X86 "kslab.kernel=6.18"), 0);
	b = kslab_kmem_buckets_create("pfx", 0, 0, 0, NULL);
	assert_non_null(b);
	assert_false(is_err(b));
	p = kslab_kmem_buckets_alloc(b, 100, KSLAB_GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(kslab_ksize(p), 128);
	assert_int_equal(in_use("pfx-128"), 1);
	q = kslab_kmem_buckets_alloc_track_caller(b, 3000, KSLAB_GFP_KERNEL);
	assert_non_null(q);
	assert_int_equal(in_use("pfx-4k"), 1);
	kslab_kfree(q);
	q = kslab_kmem_buckets_valloc(b, 20, KSLAB_GFP_KERNEL);
	assert_int_equal(in_use("pfx-32"), 1);
	kslab_kfree(q);
	kslab_kfree(p);
	assert_int_equal(in_use("pfx-128") + in_use("pfx-4k"), 0);

	/* the user copies: memdup_user & co. from the boot's buckets */
	before = in_use("memdup_user-64");
	p = kslab_memdup_user("0123456789abcdef0123456789abcdef0123", 37);
	assert_false(is_err(p));
	assert_string_equal(p, "0123456789abcdef0123456789abcdef0123");
	assert_int_equal(in_use("memdup_user-64"), before + 1);
	q = kslab_strndup_user("hello", 64);
	assert_false(is_err(q));
	assert_string_equal(q, "hello");
	kslab_kfree(q);
	q = kslab_vmemdup_user(p, 10);
	assert_false(is_err(q));
	assert_memory_equal(q, p, 10);
	kslab_kfree(q);
	q = kslab_memdup_user_nul("abc", 3);
	assert_false(is_err(q));
	assert_string_equal(q, "abc");
	kslab_kfree(q);
	kslab_kfree(p);
	assert_int_equal(in_use("memdup_user-64"), before);
	assert_true(is_err(kslab_memdup_user(NULL, 5)));
	assert_true(is_err(kslab_strndup_user("hello", 0)));
}

/* before 6.11: no buckets, ZERO_SIZE_PTR, allocations are kmalloc()s */
static void test_buckets_prefixed_6_1(void **state)
{
	struct kslab_kmem_buckets *b;
	char *p;

	(void)state;
	assert_int_equal(kslab_boot(X86 "kslab.kernel=6.1"), 0);
	b = kslab_kmem_buckets_create("pfx", 0, 0, 0, NULL);
	assert_ptr_equal(b, (void *)16);
	p = kslab_kmem_buckets_alloc(b, 100, KSLAB_GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(kslab_ksize(p), 128);
	assert_null(kslab_find_cache("pfx-128"));
	kslab_kfree(p);
	p = kslab_memdup_user("xyz", 4);
	assert_false(is_err(p));
	assert_string_equal(p, "xyz");
	kslab_kfree(p);
}

/* ---- every public function has a kslab_ name ----------------------------- */

/*
 * Kernel-named calls with no kslab_ name, on purpose: the page allocator
 * and DMA (a program using them takes the kernel-named headers), and
 * kmalloc and kmem_cache variants the prefixed set leaves to those.
 * A call given a kslab_ name must leave this list (checked).
 */
static const char *const not_prefixed[] = {
	/* dma.h */
	"dev_name",
	"dma_set_mask",
	"dma_set_coherent_mask",
	"dma_set_mask_and_coherent",
	"dma_get_mask",
	"dma_get_coherent_mask",
	"dma_set_min_align_mask",
	"dma_get_cache_alignment",
	"dev_is_dma_coherent",
	"dma_max_mapping_size",
	"dma_get_required_mask",
	"dma_addressing_limited",
	"use_dma_iommu",
	"dma_map_page_attrs",
	"dma_unmap_page_attrs",
	"dma_map_single_attrs",
	"dma_unmap_single_attrs",
	"dma_sync_single_for_cpu",
	"dma_sync_single_for_device",
	"dma_mapping_error",
	"dma_alloc_coherent",
	"dma_free_coherent",
	"sg_init_table",
	"sg_init_one",
	"sg_set_page",
	"sg_set_buf",
	"sg_chain",
	"sg_next",
	"sg_nents",
	"sg_virt",
	"sg_phys",
	"dma_map_sg_attrs",
	"dma_unmap_sg_attrs",
	"dma_sync_sg_for_cpu",
	"dma_sync_sg_for_device",
	"dma_pool_create",
	"dma_pool_destroy",
	"dma_pool_alloc",
	"dma_pool_zalloc",
	"dma_pool_free",
	/* mm.h */
	"virt_to_phys",
	"phys_to_virt",
	"virt_to_page",
	"page_address",
	"page_to_phys",
	"page_to_pfn",
	"pfn_to_page",
	"pfn_valid",
	"page_zonenum",
	"alloc_pages",
	"alloc_page",
	"__free_pages",
	"__free_page",
	"__get_free_pages",
	"__get_free_page",
	"get_zeroed_page",
	"free_pages",
	"free_page",
	"alloc_pages_exact",
	"free_pages_exact",
	"compound_order",
	"get_order",
	"drain_all_pages",
	/* kmalloc.h */
	"__kmalloc_index_alloc",
	"__kmalloc_cache",
	"kmalloc_array",
	"kcalloc",
	"krealloc_array",
	"kfree_sensitive",
	"kmalloc_size_roundup",
	"kmemdup",
	"kstrdup",
	"kstrndup",
	"kvmalloc",
	"kvzalloc",
	"kvfree",
	"kmalloc_slab",
	/* slab.h */
	"kmem_cache_create_usercopy",
	"kmem_cache_create_args",
	"kmem_cache_zalloc",
	"kmem_cache_alloc_node",
	"kvfree_call_rcu",
	"kvfree_rcu_barrier",
	"kmem_cache_validate",
	"kmem_cache_show_traces",
};

struct names {
	char (*name)[64];
	size_t nr, cap;
};

static char *slurp_header(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s%s", INCLUDE, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* comments and preprocessor lines become blanks */
static void blank_comments(char *s)
{
	for (char *p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");

			assert_non_null(e);
			memset(p, ' ', (size_t)(e + 2 - p));
			p = e + 1;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
		} else if (*p == '#' && (p == s || p[-1] == '\n')) {
			/* a directive, with its continuation lines */
			while (*p && !(*p == '\n' && p[-1] != '\\'))
				*p++ = ' ';
		}
	}
}

static bool ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static void add_name(struct names *n, const char *id, size_t len)
{
	assert_true(len > 0 && len < 64);
	if (n->nr == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 64;
		n->name = realloc(n->name, n->cap * sizeof(*n->name));
		assert_non_null(n->name);
	}
	memcpy(n->name[n->nr], id, len);
	n->name[n->nr++][len] = '\0';
}

/* the name of each function declared after the word marker */
static void declared(const char *header, const char *marker, struct names *n)
{
	char *text = slurp_header(header);
	size_t mlen = strlen(marker);

	blank_comments(text);
	for (char *p = strstr(text, marker); p; p = strstr(p + mlen, marker)) {
		char *paren, *e;

		if ((p > text && ident_char(p[-1])) || ident_char(p[mlen]))
			continue;
		paren = strpbrk(p + mlen, "(;");
		assert_non_null(paren);
		assert_int_equal(*paren, '('); /* a function, not a variable */
		e = paren;
		while (e > p && !ident_char(e[-1]))
			e--;
		char *b = e;
		while (b > p && ident_char(b[-1]))
			b--;
		add_name(n, b, (size_t)(e - b));
	}
	free(text);
}

static bool has(const struct names *n, const char *name)
{
	for (size_t i = 0; i < n->nr; i++)
		if (!strcmp(n->name[i], name))
			return true;
	return false;
}

static bool listed(const char *name)
{
	for (size_t i = 0; i < NR(not_prefixed); i++)
		if (!strcmp(not_prefixed[i], name))
			return true;
	return false;
}

/* kslab_NAME, or for __NAME kslab_NAME (kslab_kmalloc() is __kmalloc()) */
static bool prefixed(const struct names *pre, const char *name)
{
	char want[80];

	snprintf(want, sizeof(want), "kslab_%s", name);
	if (has(pre, want))
		return true;
	while (*name == '_')
		name++;
	snprintf(want, sizeof(want), "kslab_%s", name);
	return has(pre, want);
}

static void test_every_public_function_prefixed(void **state)
{
	struct names pub = { 0 }, pre = { 0 };
	unsigned int missing = 0, headers = 0;
	struct dirent *de;
	DIR *dir;

	(void)state;
	dir = opendir(INCLUDE);
	assert_non_null(dir);
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (len > 2 && !strcmp(de->d_name + len - 2, ".h") &&
		    strcmp(de->d_name, "prefixed.h")) {
			declared(de->d_name, "KSLAB_API", &pub);
			headers++;
		}
	}
	closedir(dir);
	assert_true(headers >= 8);
	declared("prefixed.h", "KSLAB_PREFIXED_API", &pre);
	/* the parse found them: a few known ones of each header */
	assert_true(has(&pub, "kmem_buckets_create"));
	assert_true(has(&pub, "memdup_user_nul"));
	assert_true(has(&pub, "__kmem_buckets_alloc"));
	assert_true(has(&pub, "dma_pool_free"));
	assert_true(has(&pub, "kmem_cache_create"));
	assert_true(has(&pre, "kslab_kmem_buckets_valloc"));
	assert_true(has(&pre, "kslab_refused_frees"));
	for (size_t i = 0; i < pub.nr; i++) {
		const char *name = pub.name[i];

		if (!strncmp(name, "kslab_", 6))
			continue; /* kslab's own calls: already kslab_ */
		if (prefixed(&pre, name) == listed(name)) {
			printf("%s: %s\n", name,
			       listed(name) ? "has a kslab_ name: take it "
					      "off not_prefixed[]" :
					      "no kslab_ name in prefixed.h");
			missing++;
		}
	}
	/* every name left out is still a public function */
	for (size_t i = 0; i < NR(not_prefixed); i++)
		if (!has(&pub, not_prefixed[i])) {
			printf("%s: not a public function: take it off "
			       "not_prefixed[]\n",
			       not_prefixed[i]);
			missing++;
		}
	assert_int_equal(missing, 0);
	free(pub.name);
	free(pre.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_buckets_prefixed,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_buckets_prefixed_6_1,
					  shutdown_teardown),
		cmocka_unit_test(test_every_public_function_prefixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
