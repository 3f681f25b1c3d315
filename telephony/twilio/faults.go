package twilio

import (
	"errors"
	"fmt"
	"time"

	"github.com/sparlab/spar/telephony"
)

// faults counts the messages a stream could not use. A few are normal on a long call and
// the call goes on; a flood means a broken or hostile peer and ends it.
type faults struct {
	malformed, unknown, oversized, outOfOrder int
	lastReport                                time.Time
}

func (f *faults) total() int { return f.malformed + f.unknown + f.oversized + f.outOfOrder }

// fault counts err, logs it (Debug each, Warn at most once a second), tells the call (as
// often as the Warn), and returns ErrTooManyMalformed once past Config.MaxMalformed.
func (st *stream) fault(err error) error {
	f := &st.faults
	kind := "malformed"
	switch {
	case errors.Is(err, errOutOfOrder):
		kind = "out_of_order"
		f.outOfOrder++
	case errors.Is(err, errOversized):
		kind = "oversized"
		f.oversized++
	case errors.Is(err, ErrUnknownEvent):
		kind = "unknown_event"
		f.unknown++
	default:
		f.malformed++
	}
	if kind != "unknown_event" && st.call != nil {
		st.call.Discard(1) // Twilio sends 20 ms per media message; a bad one is a lost frame
	}
	st.log.Debug("twilio stream: bad message", "kind", kind, "err", err)
	if now := st.srv.now(); f.lastReport.IsZero() || now.Sub(f.lastReport) >= time.Second {
		f.lastReport = now
		st.log.Warn("twilio stream: bad messages", "last", err, "malformed", f.malformed,
			"unknown", f.unknown, "oversized", f.oversized, "out_of_order", f.outOfOrder)
		if st.call != nil {
			st.call.Notify(telephony.Event{
				Kind:   telephony.EventMalformed,
				Detail: fmt.Sprintf("%s: %v (%d bad messages so far)", kind, err, f.total()),
				At:     st.in.now(),
			})
		}
	}
	if f.total() > st.srv.cfg.MaxMalformed {
		return fmt.Errorf("%w: %d (last: %v)", ErrTooManyMalformed, f.total(), err)
	}
	return nil
}
