// SPDX-License-Identifier: MIT
/* placeholder, replaced below */
#include <stdio.h>
#include "commands.h"
int cmd_record(int argc, char **argv)
{
	fprintf(stderr, "kslab record: not yet\n");
	return 2;
}
