// SPDX-License-Identifier: MIT
/*
 * Only maple.c's check_rcu_threaded() (which ends in
 * run_check_rcu_slowread()): the suite's maple.c is compiled into this
 * file with its weak main() renamed, so its static tests are reachable.
 * Built by repro.sh in a tree made by run.sh.
 */
#define main maple_suite_main
#include "maple.c"
#undef main

int main(void)
{
	struct maple_tree tree;

	maple_tree_init();
	mt_init_flags(&tree, MT_FLAGS_ALLOC_RANGE);
	check_rcu_threaded(&tree);
	mtree_destroy(&tree);
	rcu_barrier();
	printf("check_rcu_threaded: passed\n");
	return 0;
}
