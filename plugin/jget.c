#include "jget.h"

json_t* jget(const json_t* o, const char* key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char* jget_str(const json_t* o, const char* key)
{
	json_t* v = jget(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}
