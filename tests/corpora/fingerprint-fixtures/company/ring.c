/*
 * Copyright (c) Example Corp. All rights reserved.
 * SPDX-License-Identifier: LicenseRef-Proprietary
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ring.h"

#define RING_MIN_CAPACITY 16

/* A byte ring buffer whose capacity is always a power of two. */
struct ring {
    uint8_t *data;
    size_t head;
    size_t tail;
    size_t mask;
};

static size_t round_up_pow2(size_t n)
{
    size_t p = RING_MIN_CAPACITY;
    while (p < n)
        p <<= 1;
    return p;
}

struct ring *ring_new(size_t capacity)
{
    struct ring *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    capacity = round_up_pow2(capacity);
    r->data = malloc(capacity);
    if (!r->data) {
        free(r);
        return NULL;
    }
    r->mask = capacity - 1;
    return r;
}

size_t ring_used(const struct ring *r)
{
    return (r->tail - r->head) & r->mask;
}

/* Copies up to len bytes in; returns how many fitted. */
size_t ring_write(struct ring *r, const uint8_t *src, size_t len)
{
    size_t space = r->mask - ring_used(r);
    size_t n = len < space ? len : space;
    size_t first = r->mask + 1 - (r->tail & r->mask);
    if (first > n)
        first = n;
    memcpy(r->data + (r->tail & r->mask), src, first);
    memcpy(r->data, src + first, n - first);
    r->tail += n;
    return n;
}

size_t ring_read(struct ring *r, uint8_t *dst, size_t len)
{
    size_t used = ring_used(r);
    size_t n = len < used ? len : used;
    size_t first = r->mask + 1 - (r->head & r->mask);
    if (first > n)
        first = n;
    memcpy(dst, r->data + (r->head & r->mask), first);
    memcpy(dst + first, r->data, n - first);
    r->head += n;
    return n;
}
