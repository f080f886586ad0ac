/*
 * A counting allocator for the churn (churn.h): the binary that links this
 * file defines malloc and its family, which the plugin .so and every library
 * of the process then use (glibc supports replacing them), and counts the
 * usable bytes of the blocks in use. mallinfo2's figure also moves with the
 * chunks glibc keeps in its per-thread caches (up to hundreds of KiB a
 * thread, filled as the workload touches more sizes): a count of the blocks
 * handed out does not.
 *
 * In sanitizer builds the sanitizer's allocator is the process's, and its
 * own count is used instead.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* The sanitizers' runtime has it (gcc ships no header declaring it). */
extern size_t __sanitizer_get_current_allocated_bytes(void);

uint64_t churn_heap_bytes(void);

uint64_t churn_heap_bytes(void)
{
	return (uint64_t)__sanitizer_get_current_allocated_bytes();
}

#else
#include <errno.h>
#include <malloc.h>
#include <unistd.h>

/* glibc's own implementations under their exported names. */
extern void* __libc_malloc(size_t n);
extern void* __libc_calloc(size_t n, size_t size);
extern void* __libc_realloc(void* p, size_t n);
extern void* __libc_memalign(size_t align, size_t n);
extern void __libc_free(void* p);

uint64_t churn_heap_bytes(void);

static _Atomic int64_t in_use;

static void* counted(void* p)
{
	if (p)
		atomic_fetch_add_explicit(&in_use, (int64_t)malloc_usable_size(p), memory_order_relaxed);
	return p;
}

static void uncount(void* p)
{
	if (p)
		atomic_fetch_sub_explicit(&in_use, (int64_t)malloc_usable_size(p), memory_order_relaxed);
}

uint64_t churn_heap_bytes(void)
{
	int64_t n = atomic_load(&in_use);
	return n > 0 ? (uint64_t)n : 0;
}

void* malloc(size_t n)
{
	return counted(__libc_malloc(n));
}

void* calloc(size_t n, size_t size)
{
	return counted(__libc_calloc(n, size));
}

void* realloc(void* p, size_t n)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void* q = __libc_realloc(p, n);
	if (!q && p && n)
		return NULL; /* failed: p is untouched */
	atomic_fetch_sub_explicit(&in_use, (int64_t)old, memory_order_relaxed);
	return counted(q);
}

void free(void* p)
{
	uncount(p);
	__libc_free(p);
}

void* memalign(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

void* aligned_alloc(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

int posix_memalign(void** out, size_t align, size_t n)
{
	if (align < sizeof(void*) || (align & (align - 1)))
		return EINVAL;
	void* p = counted(__libc_memalign(align, n));
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void* valloc(size_t n)
{
	return counted(__libc_memalign((size_t)sysconf(_SC_PAGESIZE), n));
}

void* pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return counted(__libc_memalign(page, (n + page - 1) / page * page));
}
#endif
