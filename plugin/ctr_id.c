#include "ctr_id.h"

#include <string.h>

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ctr_id_safe(const char* id)
{
	if (!id || !is_alnum(id[0]))
		return false;
	size_t n = strnlen(id, CTR_ID_MAX + 1);
	if (n > CTR_ID_MAX)
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(id[i]) && !strchr("_.-", id[i]))
			return false;
	return true;
}
