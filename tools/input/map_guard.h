/* SPDX-License-Identifier: MIT */
/*
 * SIGBUS guard for mapped files: a file that shrinks while mapped makes
 * every access past its new end a SIGBUS. A guarded range turns such a
 * fault into zeros (the rest of the range from the faulting page on is
 * replaced by anonymous zero pages) and remembers it, for the reader to
 * end its input with a message; faults anywhere else go to the handler
 * that was there before, or kill the process as they would have.
 */
#ifndef KSLAB_TOOL_MAP_GUARD_H
#define KSLAB_TOOL_MAP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Guard [start, start + len) (page-aligned start, as mmap() returns it).
 * The handler is installed by the first call, and again by a later one
 * when another handler replaced it. A slot id >= 0, or -1 when none is
 * free or the handler cannot be installed (then do not map).
 */
int map_guard_add(const void *start, size_t len);
/*
 * Whether an access faulted in the slot's range since map_guard_add();
 * *off gets the lowest offset from start that did.
 */
bool map_guard_hit(int slot, uint64_t *off);
/* The range is unmapped (or about to be): the slot is free again. */
void map_guard_remove(int slot);
/* Faults turned into zeros since the process started (for tests). */
unsigned long map_guard_faults(void);

#endif
