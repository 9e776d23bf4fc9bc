/* SPDX-License-Identifier: MIT
 * Subcommands of the crossdock command. Each takes the arguments after its own name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef XD_CLI_CLI_H
#define XD_CLI_CLI_H

int xd_cmd_serve(int argc, char **argv);
int xd_cmd_token(int argc, char **argv);
int xd_cmd_audit(int argc, char **argv);
int xd_cmd_config(int argc, char **argv);
int xd_cmd_x12(int argc, char **argv);
int xd_cmd_dlq(int argc, char **argv);
int xd_cmd_sim(int argc, char **argv);
int xd_cmd_partner(int argc, char **argv);
int xd_cmd_secrets(int argc, char **argv);
int xd_cmd_tx(int argc, char **argv);
int xd_cmd_demo(int argc, char **argv);
int xd_cmd_erp(int argc, char **argv);

#endif
