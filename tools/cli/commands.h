/* SPDX-License-Identifier: MIT */
/* The kslab subcommands other than show (argv[0] is the command name). */
#ifndef KSLAB_TOOL_COMMANDS_H
#define KSLAB_TOOL_COMMANDS_H

int cmd_trace_stats(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_trace_gen(int argc, char **argv);

#endif
