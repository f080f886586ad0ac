/* Logging through the host's log_fn (safe from any thread, docs/abi.md "Logging"). */
#ifndef LOG_H
#define LOG_H

#include "plugin_api.h"

typedef struct plog {
	ss_plugin_owner_t* owner;
	ss_plugin_log_fn_t fn;          /* NULL: host without logger (API < 3.3) */
	ss_plugin_log_severity max_sev; /* most verbose severity forwarded */
} plog;

void plog_write(const plog* l, ss_plugin_log_severity sev, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define plog_error(l, ...) plog_write((l), SS_PLUGIN_LOG_SEV_ERROR, __VA_ARGS__)
#define plog_warn(l, ...) plog_write((l), SS_PLUGIN_LOG_SEV_WARNING, __VA_ARGS__)
#define plog_info(l, ...) plog_write((l), SS_PLUGIN_LOG_SEV_INFO, __VA_ARGS__)
#define plog_debug(l, ...) plog_write((l), SS_PLUGIN_LOG_SEV_DEBUG, __VA_ARGS__)

#endif
