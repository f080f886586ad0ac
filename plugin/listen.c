/*
 * Capture listening (docs/architecture.md "Capture open"): at capture open every thread
 * the host already knows (from its /proc scan, or from a capture file's
 * leading state) gets its container id.
 */
#include "plugin_state.h"

typedef struct listen_walk {
	plugin_state* s;
	const table_access* t;
	size_t n;
} listen_walk;

static ss_plugin_bool attach_one(ss_plugin_table_iterator_state_t* st, ss_plugin_table_entry_t* e)
{
	listen_walk* w = st;
	/* One odd thread must not stop the others (upstream stops at the first failure). */
	parse_new_process(w->s, w->t, e);
	w->n++;
	return 1;
}

ss_plugin_rc listen_capture_open(plugin_state* s, const ss_plugin_capture_listen_input* in)
{
	if (!in || !in->table_reader_ext || !in->table_writer_ext) {
		plugin_set_error(s, "capture_open without table access");
		return SS_PLUGIN_FAILURE;
	}
	table_access t = {in->table_reader_ext, in->table_writer_ext};
	listen_walk w = {s, &t, 0};
	in->table_reader_ext->iterate_entries(s->th.table, attach_one, &w);
	plog_debug(&s->log, "capture open: container ids attached to %zu threads", w.n);
	return SS_PLUGIN_SUCCESS;
}
