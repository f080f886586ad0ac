#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void plog_write(const plog* l, ss_plugin_log_severity sev, const char* fmt, ...)
{
	if (!l || !l->fn || sev > l->max_sev)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->fn(l->owner, NULL, msg, sev);
}
