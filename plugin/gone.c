#include "gone.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_record.h"
#include "idset.h"

struct gone_set {
	pthread_mutex_t mu;
	idset marks;         /* short id -> the gone_report that marked it */
	char* ring[GONE_CAP]; /* marks in insertion order, for dropping the oldest */
	size_t next;
};

gone_set* gone_new(void)
{
	gone_set* g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	idset_init(&g->marks);
	return g;
}

void gone_free(gone_set* g)
{
	if (!g)
		return;
	for (size_t i = 0; i < GONE_CAP; i++)
		free(g->ring[i]);
	idset_free(&g->marks);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

/* The key of a container: its short id (engines and cgroups agree on it). */
static void key_of(const char* id, char* key)
{
	size_t n = strnlen(id, CTR_SHORT_ID_LEN);
	memcpy(key, id, n);
	key[n] = '\0';
}

/* Marks key; the ring slot it takes drops the oldest mark when full. */
static void mark(gone_set* g, const char* key, gone_report how)
{
	if (idset_get(&g->marks, key, NULL)) {
		idset_put(&g->marks, key, how);
		return;
	}
	char* copy = strdup(key);
	if (!copy || !idset_put(&g->marks, key, how)) {
		free(copy);
		return;
	}
	/* The oldest slot's mark goes (a key forgotten and marked again since
	 * loses its newer mark early: the set is a bound, not a promise). */
	char* old = g->ring[g->next];
	if (old) {
		idset_del(&g->marks, old);
		free(old);
	}
	g->ring[g->next] = copy;
	g->next = (g->next + 1) % GONE_CAP;
}

bool gone_admit(gone_set* g, const char* id, gone_report what)
{
	if (!g || !id || !*id)
		return true;
	char key[CTR_SHORT_ID_LEN + 1];
	key_of(id, key);
	pthread_mutex_lock(&g->mu);
	uint64_t how = 0;
	bool marked = idset_get(&g->marks, key, &how);
	bool admit;
	if (what == GONE_REPORT_ALIVE) {
		admit = !marked || how == GONE_REPORT_REMOVED;
		if (marked && admit)
			idset_del(&g->marks, key);
	} else {
		admit = !marked;
		/* The engine's word is final: a restart after it is real. */
		if (!marked || what == GONE_REPORT_REMOVED)
			mark(g, key, what);
	}
	pthread_mutex_unlock(&g->mu);
	return admit;
}

void gone_forget(gone_set* g, const char* id)
{
	if (!g || !id)
		return;
	char key[CTR_SHORT_ID_LEN + 1];
	key_of(id, key);
	pthread_mutex_lock(&g->mu);
	idset_del(&g->marks, key);
	pthread_mutex_unlock(&g->mu);
}
