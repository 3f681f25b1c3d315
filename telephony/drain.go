package telephony

import (
	"context"
	"sync"
)

// Drain counts a transport server's live calls, turns new ones away past a cap or once the
// server drains for a restart, and reports when the last call has ended. Its zero value
// admits calls and is not draining.
type Drain struct {
	mu       sync.Mutex
	active   int
	draining bool
	idle     chan struct{} // made on first use; closed once draining with no call live
}

// Add counts a new call and reports true, unless Start was called or max > 0 calls are live.
func (d *Drain) Add(max int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining || (max > 0 && d.active >= max) {
		return false
	}
	d.active++
	return true
}

// Done uncounts a call that Add counted.
func (d *Drain) Done() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.active--
	if d.draining && d.active == 0 {
		close(d.idleLocked())
	}
}

// Start stops admitting calls; live ones go on. Calling it again is harmless.
func (d *Drain) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining {
		return
	}
	d.draining = true
	if d.active == 0 {
		close(d.idleLocked())
	}
}

// Draining reports whether Start was called.
func (d *Drain) Draining() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.draining
}

// Full reports whether Add(max) would refuse a call for the cap now.
func (d *Drain) Full(max int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return max > 0 && d.active >= max
}

// Active returns the number of live calls.
func (d *Drain) Active() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.active
}

// Wait blocks until Start was called and every live call has ended, or ctx is done.
func (d *Drain) Wait(ctx context.Context) error {
	d.mu.Lock()
	idle := d.idleLocked()
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (d *Drain) idleLocked() chan struct{} {
	if d.idle == nil {
		d.idle = make(chan struct{})
	}
	return d.idle
}
