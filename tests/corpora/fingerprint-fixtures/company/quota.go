// Package quota enforces per-tenant request budgets.
package quota

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrExhausted is returned when a tenant has no budget left in the window.
var ErrExhausted = errors.New("quota: budget exhausted")

type bucket struct {
	tokens   float64
	updated  time.Time
	capacity float64
	rate     float64
}

// Limiter hands out tokens per tenant with a refill rate.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	plan    PlanStore
}

// Take spends cost tokens of the tenant's budget.
func (l *Limiter) Take(ctx context.Context, tenant string, cost float64) error {
	plan, err := l.plan.Lookup(ctx, tenant)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[tenant]
	if !ok {
		b = &bucket{tokens: plan.Burst, updated: l.now(), capacity: plan.Burst, rate: plan.PerSecond}
		l.buckets[tenant] = b
	}
	elapsed := l.now().Sub(b.updated).Seconds()
	b.tokens = min(b.capacity, b.tokens+elapsed*b.rate)
	b.updated = l.now()
	if b.tokens < cost {
		wait := time.Duration((cost - b.tokens) / b.rate * float64(time.Second))
		return &RetryError{After: wait, Err: ErrExhausted}
	}
	b.tokens -= cost
	return nil
}

// Sweep drops buckets idle for longer than ttl and reports how many it removed.
func (l *Limiter) Sweep(ttl time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	removed := 0
	for tenant, b := range l.buckets {
		if l.now().Sub(b.updated) > ttl && b.tokens >= b.capacity {
			delete(l.buckets, tenant)
			removed++
		}
	}
	return removed
}
