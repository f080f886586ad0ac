/*
 * Falco plugin API 3.x, binary interface, written from its documentation
 * (docs/abi.md "Our header").
 *
 * Member names follow the upstream spelling so that upstream documentation and
 * error messages can be matched; only order, types and sizes are ABI.
 * Layouts are the full 3.12 ones; a plugin declaring 3.10 must not read members
 * marked "since 3.11" or later.
 */
#ifndef PLUGIN_API_H
#define PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- 3.1 scalar typedefs ------------------------------------------------ */

typedef uint32_t ss_plugin_bool; /* 4 bytes, never C bool */
typedef void ss_plugin_t;
typedef void ss_instance_t;
typedef void ss_plugin_owner_t;
typedef void ss_plugin_table_t;
typedef void ss_plugin_table_entry_t;
typedef void ss_plugin_table_field_t;
typedef void ss_plugin_table_iterator_state_t;
typedef void ss_plugin_routine_t;
typedef void ss_plugin_routine_state_t;

/* ---- 3.2 .. 3.8 enums (all int-sized) ----------------------------------- */

typedef enum ss_plugin_rc {
	SS_PLUGIN_SUCCESS = 0,
	SS_PLUGIN_FAILURE = 1,
	SS_PLUGIN_TIMEOUT = -1,
	SS_PLUGIN_EOF = 2,
	SS_PLUGIN_NOT_SUPPORTED = 3,
} ss_plugin_rc;

typedef enum ss_plugin_schema_type {
	SS_PLUGIN_SCHEMA_NONE = 0,
	SS_PLUGIN_SCHEMA_JSON = 1,
} ss_plugin_schema_type;

typedef enum ss_plugin_field_type {
	FTYPE_UINT64 = 8,
	FTYPE_STRING = 9,
	FTYPE_RELTIME = 20,
	FTYPE_ABSTIME = 21,
	FTYPE_BOOL = 25,
	FTYPE_IPADDR = 40,
	FTYPE_IPNET = 41,
} ss_plugin_field_type;

typedef enum ss_plugin_state_type {
	SS_PLUGIN_ST_INT8 = 1,
	SS_PLUGIN_ST_INT16 = 2,
	SS_PLUGIN_ST_INT32 = 3,
	SS_PLUGIN_ST_INT64 = 4,
	SS_PLUGIN_ST_UINT8 = 5,
	SS_PLUGIN_ST_UINT16 = 6,
	SS_PLUGIN_ST_UINT32 = 7,
	SS_PLUGIN_ST_UINT64 = 8,
	SS_PLUGIN_ST_STRING = 9,
	SS_PLUGIN_ST_TABLE = 10,
	SS_PLUGIN_ST_BOOL = 25,
} ss_plugin_state_type;

typedef enum ss_plugin_log_severity {
	SS_PLUGIN_LOG_SEV_FATAL = 1,
	SS_PLUGIN_LOG_SEV_CRITICAL = 2,
	SS_PLUGIN_LOG_SEV_ERROR = 3,
	SS_PLUGIN_LOG_SEV_WARNING = 4,
	SS_PLUGIN_LOG_SEV_NOTICE = 5,
	SS_PLUGIN_LOG_SEV_INFO = 6,
	SS_PLUGIN_LOG_SEV_DEBUG = 7,
	SS_PLUGIN_LOG_SEV_TRACE = 8,
} ss_plugin_log_severity;

typedef enum ss_plugin_metric_value_type {
	SS_PLUGIN_METRIC_VALUE_TYPE_U32 = 0,
	SS_PLUGIN_METRIC_VALUE_TYPE_S32 = 1,
	SS_PLUGIN_METRIC_VALUE_TYPE_U64 = 2,
	SS_PLUGIN_METRIC_VALUE_TYPE_S64 = 3,
	SS_PLUGIN_METRIC_VALUE_TYPE_D = 4,
	SS_PLUGIN_METRIC_VALUE_TYPE_F = 5,
	SS_PLUGIN_METRIC_VALUE_TYPE_I = 6,
} ss_plugin_metric_value_type;

typedef enum ss_plugin_metric_type {
	SS_PLUGIN_METRIC_TYPE_MONOTONIC = 0,
	SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC = 1,
} ss_plugin_metric_type;

/* ---- 3.9 constants ------------------------------------------------------ */

#define PLUGIN_MAX_ERRLEN 1024
#define PLUGIN_EVENT_PAYLOAD_OFFSET 38

/* ---- 3.6 state data ----------------------------------------------------- */

typedef union ss_plugin_state_data {
	int8_t s8;
	int16_t s16;
	int32_t s32;
	int64_t s64;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const char* str;
	ss_plugin_bool b;
	ss_plugin_table_t* table;
} ss_plugin_state_data;

/* ---- 4. events ---------------------------------------------------------- */

#pragma pack(push, 1)
typedef struct ss_plugin_event {
	uint64_t ts;
	uint64_t tid;
	uint32_t len;
	uint16_t type;
	uint32_t nparams;
} ss_plugin_event;
#pragma pack(pop)

typedef struct ss_plugin_event_input {
	const ss_plugin_event* evt;
	uint64_t evtnum;
	const char* evtsrc;
} ss_plugin_event_input;

/* ---- 5. extraction ------------------------------------------------------ */

typedef struct ss_plugin_byte_buffer {
	uint32_t len;
	const void* ptr;
} ss_plugin_byte_buffer;

typedef struct ss_plugin_extract_field {
	union {
		const char** str;
		uint64_t* u64;
		uint32_t* u32;
		ss_plugin_bool* boolean;
		ss_plugin_byte_buffer* buf;
	} res;
	uint64_t res_len;
	uint32_t field_id;
	const char* field;
	const char* arg_key;
	uint64_t arg_index;
	ss_plugin_bool arg_present;
	uint32_t ftype;
	ss_plugin_bool flist;
} ss_plugin_extract_field;

typedef struct ss_plugin_extract_value_offsets {
	uint32_t* start;
	uint32_t* length;
} ss_plugin_extract_value_offsets;

/* ---- 7. tables ---------------------------------------------------------- */

typedef struct ss_plugin_table_info {
	const char* name;
	ss_plugin_state_type key_type;
} ss_plugin_table_info;

typedef struct ss_plugin_table_fieldinfo {
	const char* name;
	ss_plugin_state_type field_type;
	ss_plugin_bool read_only;
} ss_plugin_table_fieldinfo;

typedef ss_plugin_bool (*ss_plugin_table_iterator_func_t)(ss_plugin_table_iterator_state_t* s,
                                                          ss_plugin_table_entry_t* e);

#define SS_PLUGIN_TABLE_FIELDS_MEMBERS                                                        \
	const ss_plugin_table_fieldinfo* (*list_table_fields)(ss_plugin_table_t * t,             \
	                                                      uint32_t * nfields);                \
	ss_plugin_table_field_t* (*get_table_field)(ss_plugin_table_t * t, const char* name,    \
	                                            ss_plugin_state_type data_type);            \
	ss_plugin_table_field_t* (*add_table_field)(ss_plugin_table_t * t, const char* name,    \
	                                            ss_plugin_state_type data_type);

typedef struct ss_plugin_table_fields_vtable {
	SS_PLUGIN_TABLE_FIELDS_MEMBERS
} ss_plugin_table_fields_vtable;

typedef struct ss_plugin_table_fields_vtable_ext {
	SS_PLUGIN_TABLE_FIELDS_MEMBERS
} ss_plugin_table_fields_vtable_ext;

#define SS_PLUGIN_TABLE_READER_MEMBERS                                                        \
	const char* (*get_table_name)(ss_plugin_table_t * t);                                    \
	uint64_t (*get_table_size)(ss_plugin_table_t * t);                                       \
	ss_plugin_table_entry_t* (*get_table_entry)(ss_plugin_table_t * t,                       \
	                                            const ss_plugin_state_data* key);            \
	ss_plugin_rc (*read_entry_field)(ss_plugin_table_t * t, ss_plugin_table_entry_t * e,     \
	                                 const ss_plugin_table_field_t* f,                       \
	                                 ss_plugin_state_data* out);

typedef struct ss_plugin_table_reader_vtable {
	SS_PLUGIN_TABLE_READER_MEMBERS
} ss_plugin_table_reader_vtable;

typedef struct ss_plugin_table_reader_vtable_ext {
	SS_PLUGIN_TABLE_READER_MEMBERS
	void (*release_table_entry)(ss_plugin_table_t* t, ss_plugin_table_entry_t* e);
	ss_plugin_bool (*iterate_entries)(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
	                                  ss_plugin_table_iterator_state_t* s);
} ss_plugin_table_reader_vtable_ext;

#define SS_PLUGIN_TABLE_WRITER_MEMBERS                                                        \
	ss_plugin_rc (*clear_table)(ss_plugin_table_t * t);                                      \
	ss_plugin_rc (*erase_table_entry)(ss_plugin_table_t * t, const ss_plugin_state_data* key); \
	ss_plugin_table_entry_t* (*create_table_entry)(ss_plugin_table_t * t);                   \
	void (*destroy_table_entry)(ss_plugin_table_t * t, ss_plugin_table_entry_t * e);         \
	ss_plugin_table_entry_t* (*add_table_entry)(ss_plugin_table_t * t,                       \
	                                            const ss_plugin_state_data* key,             \
	                                            ss_plugin_table_entry_t* entry);             \
	ss_plugin_rc (*write_entry_field)(ss_plugin_table_t * t, ss_plugin_table_entry_t * e,    \
	                                  const ss_plugin_table_field_t* f,                      \
	                                  const ss_plugin_state_data* in);

typedef struct ss_plugin_table_writer_vtable {
	SS_PLUGIN_TABLE_WRITER_MEMBERS
} ss_plugin_table_writer_vtable;

typedef struct ss_plugin_table_writer_vtable_ext {
	SS_PLUGIN_TABLE_WRITER_MEMBERS
} ss_plugin_table_writer_vtable_ext;

typedef struct ss_plugin_table_input {
	const char* name;
	ss_plugin_state_type key_type;
	ss_plugin_table_t* table;
	ss_plugin_table_reader_vtable reader;
	ss_plugin_table_writer_vtable writer;
	ss_plugin_table_fields_vtable fields;
	ss_plugin_table_reader_vtable_ext* reader_ext; /* since 3.1 */
	ss_plugin_table_writer_vtable_ext* writer_ext; /* since 3.1 */
	ss_plugin_table_fields_vtable_ext* fields_ext; /* since 3.1 */
} ss_plugin_table_input;

/* ---- 5.4 extraction input ----------------------------------------------- */

typedef const char* (*ss_plugin_get_owner_last_error_fn)(ss_plugin_owner_t* o);

typedef struct ss_plugin_field_extract_input {
	ss_plugin_owner_t* owner;
	ss_plugin_get_owner_last_error_fn get_owner_last_error;
	uint32_t num_fields;
	ss_plugin_extract_field* fields;
	ss_plugin_table_reader_vtable table_reader;           /* legacy */
	ss_plugin_table_reader_vtable_ext* table_reader_ext;  /* since 3.1 */
	ss_plugin_extract_value_offsets* value_offsets;       /* since 3.11: do not read at 3.10 */
} ss_plugin_field_extract_input;

/* ---- 6. init ------------------------------------------------------------ */

typedef void (*ss_plugin_log_fn_t)(ss_plugin_owner_t* o, const char* component, const char* msg,
                                   ss_plugin_log_severity sev);

typedef struct ss_plugin_init_tables_input {
	ss_plugin_table_info* (*list_tables)(ss_plugin_owner_t* o, uint32_t* ntables);
	ss_plugin_table_t* (*get_table)(ss_plugin_owner_t* o, const char* name,
	                                ss_plugin_state_type key_type);
	ss_plugin_rc (*add_table)(ss_plugin_owner_t* o, const ss_plugin_table_input* in);
	ss_plugin_table_fields_vtable fields;                 /* legacy */
	ss_plugin_table_fields_vtable_ext* fields_ext;        /* since 3.1 */
	ss_plugin_table_reader_vtable_ext* reader_ext;        /* since 3.5 */
	ss_plugin_table_writer_vtable_ext* writer_ext;        /* since 3.5 */
} ss_plugin_init_tables_input;

typedef struct ss_plugin_init_input {
	const char* config;
	ss_plugin_owner_t* owner;
	ss_plugin_get_owner_last_error_fn get_owner_last_error;
	const ss_plugin_init_tables_input* tables;
	ss_plugin_log_fn_t log_fn; /* since 3.3 */
} ss_plugin_init_input;

/* ---- 8. parse ----------------------------------------------------------- */

typedef struct ss_plugin_event_parse_input {
	ss_plugin_owner_t* owner;
	ss_plugin_get_owner_last_error_fn get_owner_last_error;
	ss_plugin_table_reader_vtable table_reader;           /* legacy */
	ss_plugin_table_writer_vtable table_writer;           /* legacy */
	ss_plugin_table_reader_vtable_ext* table_reader_ext;  /* since 3.1 */
	ss_plugin_table_writer_vtable_ext* table_writer_ext;  /* since 3.1 */
} ss_plugin_event_parse_input;

/* ---- 9. async ----------------------------------------------------------- */

typedef ss_plugin_rc (*ss_plugin_async_event_handler_t)(ss_plugin_owner_t* o,
                                                        const ss_plugin_event* evt, char* err);

/* ---- 10. capture listening ---------------------------------------------- */

typedef ss_plugin_bool (*ss_plugin_routine_fn_t)(ss_plugin_t* s, ss_plugin_routine_state_t* i);

typedef struct ss_plugin_routine_vtable {
	ss_plugin_routine_t* (*subscribe)(ss_plugin_owner_t* o, ss_plugin_routine_fn_t f,
	                                  ss_plugin_routine_state_t* i);
	ss_plugin_rc (*unsubscribe)(ss_plugin_owner_t* o, ss_plugin_routine_t* r);
} ss_plugin_routine_vtable;

typedef struct ss_plugin_capture_listen_input {
	ss_plugin_owner_t* owner;
	ss_plugin_routine_vtable* routine;
	ss_plugin_table_reader_vtable_ext* table_reader_ext;
	ss_plugin_table_writer_vtable_ext* table_writer_ext;
	ss_plugin_get_owner_last_error_fn get_owner_last_error; /* since 3.9 */
} ss_plugin_capture_listen_input;

/* ---- 11. metrics, set_config -------------------------------------------- */

typedef union ss_plugin_metric_value {
	uint32_t u32;
	int32_t s32;
	uint64_t u64;
	int64_t s64;
	double d;
	float f;
	int i;
} ss_plugin_metric_value;

typedef struct ss_plugin_metric {
	const char* name;
	ss_plugin_metric_type type;
	ss_plugin_metric_value value;
	ss_plugin_metric_value_type value_type;
} ss_plugin_metric;

typedef struct ss_plugin_set_config_input {
	const char* config;
} ss_plugin_set_config_input;

/* ---- static registration vtable (docs/abi.md "Static registration") ----- */

typedef struct plugin_api {
	const char* (*get_required_api_version)(void);
	const char* (*get_init_schema)(ss_plugin_schema_type* schema_type);
	ss_plugin_t* (*init)(const ss_plugin_init_input* input, ss_plugin_rc* rc);
	void (*destroy)(ss_plugin_t* s);
	const char* (*get_last_error)(ss_plugin_t* s);
	const char* (*get_name)(void);
	const char* (*get_description)(void);
	const char* (*get_contact)(void);
	const char* (*get_version)(void);
	uint32_t (*get_id)(void);
	const char* (*get_event_source)(void);
	ss_instance_t* (*open)(ss_plugin_t* s, const char* params, ss_plugin_rc* rc);
	void (*close)(ss_plugin_t* s, ss_instance_t* h);
	const char* (*list_open_params)(ss_plugin_t* s, ss_plugin_rc* rc);
	const char* (*get_progress)(ss_plugin_t* s, ss_instance_t* h, uint32_t* progress_pct);
	const char* (*event_to_string)(ss_plugin_t* s, const ss_plugin_event_input* evt);
	ss_plugin_rc (*next_batch)(ss_plugin_t* s, ss_instance_t* h, uint32_t* nevts,
	                           ss_plugin_event*** evts);
	uint16_t* (*get_extract_event_types)(uint32_t* numtypes, ss_plugin_t* s);
	const char* (*get_extract_event_sources)(void);
	const char* (*get_fields)(void);
	ss_plugin_rc (*extract_fields)(ss_plugin_t* s, const ss_plugin_event_input* evt,
	                               const ss_plugin_field_extract_input* in);
	uint16_t* (*get_parse_event_types)(uint32_t* numtypes, ss_plugin_t* s);
	const char* (*get_parse_event_sources)(void);
	ss_plugin_rc (*parse_event)(ss_plugin_t* s, const ss_plugin_event_input* evt,
	                            const ss_plugin_event_parse_input* in);
	const char* (*get_async_event_sources)(void);
	const char* (*get_async_events)(void);
	ss_plugin_rc (*set_async_event_handler)(ss_plugin_t* s, ss_plugin_owner_t* owner,
	                                        ss_plugin_async_event_handler_t handler);
	ss_plugin_rc (*dump_state)(ss_plugin_t* s, ss_plugin_owner_t* owner,
	                           ss_plugin_async_event_handler_t handler);
	ss_plugin_rc (*set_config)(ss_plugin_t* s, const ss_plugin_set_config_input* i);
	ss_plugin_metric* (*get_metrics)(ss_plugin_t* s, uint32_t* num_metrics);
	ss_plugin_rc (*capture_open)(ss_plugin_t* s, const ss_plugin_capture_listen_input* i);
	ss_plugin_rc (*capture_close)(ss_plugin_t* s, const ss_plugin_capture_listen_input* i);
	const char* (*get_required_event_schema_version)(ss_plugin_t* s);
} plugin_api;

/* ---- LP64 layout checks (docs/abi.md "Our header") ---------------------- */

#if defined(__LP64__)
#define PLUGIN_API_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), "sizeof " #t)
#define PLUGIN_API_ASSERT_OFF(t, m, n) _Static_assert(offsetof(t, m) == (n), "offsetof " #t "." #m)
PLUGIN_API_ASSERT_SIZE(ss_plugin_event, 26);
_Static_assert(_Alignof(ss_plugin_event) == 1, "ss_plugin_event packed");
PLUGIN_API_ASSERT_OFF(ss_plugin_event, len, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_event, type, 20);
PLUGIN_API_ASSERT_OFF(ss_plugin_event, nparams, 22);
PLUGIN_API_ASSERT_SIZE(ss_plugin_event_input, 24);
PLUGIN_API_ASSERT_SIZE(ss_plugin_byte_buffer, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_byte_buffer, ptr, 8);
PLUGIN_API_ASSERT_SIZE(ss_plugin_extract_value_offsets, 16);
PLUGIN_API_ASSERT_SIZE(ss_plugin_extract_field, 64);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, res_len, 8);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, field_id, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, field, 24);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, arg_key, 32);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, arg_index, 40);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, arg_present, 48);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, ftype, 52);
PLUGIN_API_ASSERT_OFF(ss_plugin_extract_field, flist, 56);
PLUGIN_API_ASSERT_SIZE(ss_plugin_state_data, 8);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_info, 16);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_fieldinfo, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_fieldinfo, read_only, 12);
PLUGIN_API_ASSERT_SIZE(ss_plugin_metric_value, 8);
PLUGIN_API_ASSERT_SIZE(ss_plugin_metric, 32);
PLUGIN_API_ASSERT_OFF(ss_plugin_metric, value, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_metric, value_type, 24);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_fields_vtable, 24);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_fields_vtable_ext, 24);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_reader_vtable, 32);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_reader_vtable_ext, 48);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_writer_vtable, 48);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_writer_vtable_ext, 48);
PLUGIN_API_ASSERT_SIZE(ss_plugin_table_input, 152);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, table, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, reader, 24);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, writer, 56);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, fields, 104);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, reader_ext, 128);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, writer_ext, 136);
PLUGIN_API_ASSERT_OFF(ss_plugin_table_input, fields_ext, 144);
PLUGIN_API_ASSERT_SIZE(ss_plugin_init_tables_input, 72);
PLUGIN_API_ASSERT_OFF(ss_plugin_init_tables_input, fields, 24);
PLUGIN_API_ASSERT_OFF(ss_plugin_init_tables_input, fields_ext, 48);
PLUGIN_API_ASSERT_OFF(ss_plugin_init_tables_input, reader_ext, 56);
PLUGIN_API_ASSERT_OFF(ss_plugin_init_tables_input, writer_ext, 64);
PLUGIN_API_ASSERT_SIZE(ss_plugin_init_input, 40);
PLUGIN_API_ASSERT_OFF(ss_plugin_init_input, log_fn, 32);
PLUGIN_API_ASSERT_SIZE(ss_plugin_field_extract_input, 80);
PLUGIN_API_ASSERT_OFF(ss_plugin_field_extract_input, num_fields, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_field_extract_input, fields, 24);
PLUGIN_API_ASSERT_OFF(ss_plugin_field_extract_input, table_reader, 32);
PLUGIN_API_ASSERT_OFF(ss_plugin_field_extract_input, table_reader_ext, 64);
PLUGIN_API_ASSERT_OFF(ss_plugin_field_extract_input, value_offsets, 72);
PLUGIN_API_ASSERT_SIZE(ss_plugin_event_parse_input, 112);
PLUGIN_API_ASSERT_OFF(ss_plugin_event_parse_input, table_reader, 16);
PLUGIN_API_ASSERT_OFF(ss_plugin_event_parse_input, table_writer, 48);
PLUGIN_API_ASSERT_OFF(ss_plugin_event_parse_input, table_reader_ext, 96);
PLUGIN_API_ASSERT_OFF(ss_plugin_event_parse_input, table_writer_ext, 104);
PLUGIN_API_ASSERT_SIZE(ss_plugin_set_config_input, 8);
PLUGIN_API_ASSERT_SIZE(ss_plugin_routine_vtable, 16);
PLUGIN_API_ASSERT_SIZE(ss_plugin_capture_listen_input, 40);
PLUGIN_API_ASSERT_OFF(ss_plugin_capture_listen_input, get_owner_last_error, 32);
PLUGIN_API_ASSERT_SIZE(plugin_api, 264);
_Static_assert(sizeof(ss_plugin_rc) == 4 && sizeof(ss_plugin_state_type) == 4 &&
                   sizeof(ss_plugin_field_type) == 4 && sizeof(ss_plugin_schema_type) == 4 &&
                   sizeof(ss_plugin_log_severity) == 4 && sizeof(ss_plugin_metric_type) == 4 &&
                   sizeof(ss_plugin_metric_value_type) == 4,
               "API enums are int-sized");
#undef PLUGIN_API_ASSERT_SIZE
#undef PLUGIN_API_ASSERT_OFF
#endif

#ifdef __cplusplus
}
#endif

#endif /* PLUGIN_API_H */
