/*
 * Reading and writing the host's `threads` entries through the vtables of the
 * current callback (docs/abi.md "Threads table"). Strings read stay valid until the
 * entry changes or the callback returns.
 */
#include <string.h>

#include "plugin_state.h"

bool thread_read(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                 ss_plugin_table_field_t* f, ss_plugin_state_data* out)
{
	memset(out, 0, sizeof(*out));
	return t->r->read_entry_field(s->th.table, e, f, out) == SS_PLUGIN_SUCCESS;
}

int64_t thread_read_i64(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                        ss_plugin_table_field_t* f)
{
	ss_plugin_state_data d;
	return thread_read(s, t, e, f, &d) ? d.s64 : 0;
}

const char* thread_read_str(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                            ss_plugin_table_field_t* f)
{
	ss_plugin_state_data d;
	return thread_read(s, t, e, f, &d) && d.str ? d.str : "";
}

ss_plugin_table_entry_t* thread_get(plugin_state* s, const table_access* t, int64_t tid)
{
	ss_plugin_state_data key = {0};
	key.s64 = tid;
	return t->r->get_table_entry(s->th.table, &key);
}

void thread_release(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e)
{
	t->r->release_table_entry(s->th.table, e);
}
