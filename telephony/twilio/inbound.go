package twilio

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

const (
	inFrame      = 320                      // 20 ms at 16 kHz, what Call.Deliver gets
	gapTolerance = 10 * media.Rate8k / 1000 // clock drift under 10 ms is not filled
	maxGapFill   = 2 * media.Rate8k         // fill at most 2 s of silence per jump
	maxTimestamp = uint64(1) << 40          // ms; anything later is nonsense (35 years)
)

// errOutOfOrder marks a chunk whose timestamp or sequence number went backwards.
var errOutOfOrder = errors.New("twilio: out-of-order message")

// inbound turns media messages into 16 kHz frames for the call, in one push chain:
// base64 -> mu-law decode -> 8 to 16 kHz resampler -> 320-sample framer -> Call.Deliver.
// The media clock is media.timestamp: Twilio skips silent chunks, so a jump ahead of the
// audio received so far is filled with silence and the frame count stays the call's clock.
type inbound struct {
	call   *telephony.Call
	up     *media.Resampler
	frames *media.Framer // cuts the resampler's output into 20 ms frames
	raw    []byte        // decoded mu-law, reused
	pcm    []int16       // decoded 8 kHz PCM, reused
	zeros  []int16       // one frame of 8 kHz silence
	pos    int64         // 8 kHz samples written into the chain: the media clock
	skew   int64         // 8 kHz samples of clock jumps beyond maxGapFill, never filled
	lastTS int64         // last media.timestamp seen, -1 before the first
	wall   *telephony.WallBound

	chunks, framesIn, gaps, bigGaps, clamped uint64
	gapSamples                               int64
}

// newInbound builds the chain into call; now is the wall clock the media clock is bounded
// against (telephony.MaxAhead), time.Now when nil.
func newInbound(call *telephony.Call, now func() time.Time) (*inbound, error) {
	in := &inbound{
		call:   call,
		wall:   telephony.NewWallBound(now, media.Rate8k, telephony.MaxAhead),
		raw:    make([]byte, 0, 256),
		pcm:    make([]int16, 0, 256),
		zeros:  make([]int16, outFrame),
		lastTS: -1,
	}
	in.frames = media.NewFramer(media.WriterFunc(in.deliver), inFrame)
	var err error
	in.up, err = media.NewResampler(in.frames, media.Rate8k, telephony.Rate)
	if err != nil {
		return nil, fmt.Errorf("twilio: new inbound: %w", err)
	}
	return in, nil
}

// now is the media time: how much learner audio (including filled gaps) the call has had.
func (in *inbound) now() time.Duration { return media.Duration(media.Rate8k, int(in.pos)) }

// media handles one inbound media payload; m was checked by DecodeMessage.
func (in *inbound) media(m *MediaPayload) error {
	return in.chunk(readOnlyBytes(m.Timestamp), readOnlyBytes(m.Payload))
}

// mediaView handles one media message read by scanMedia.
func (in *inbound) mediaView(v *mediaView) error { return in.chunk(v.timestamp, v.payload) }

// chunk handles one checked media.timestamp (possibly absent) and base64 media.payload.
func (in *inbound) chunk(timestamp, payload []byte) error {
	if ts, ok := parseDec(timestamp); ok {
		if ts > maxTimestamp {
			return fmt.Errorf("%w: media.timestamp %d out of range", ErrMalformed, ts)
		}
		t := int64(ts)
		if t < in.lastTS {
			return errOutOfOrder
		}
		in.lastTS = t
		if err := in.fill(t*media.Rate8k/1000 - in.skew - in.pos); err != nil {
			return err
		}
	}
	n := base64.StdEncoding.DecodedLen(len(payload))
	if cap(in.raw) < n {
		in.raw = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(in.raw[:n], payload)
	if err != nil {
		return fmt.Errorf("%w: media.payload: %v", ErrMalformed, err)
	}
	in.pcm = media.DecodeMulaw(in.pcm, in.raw[:n])
	in.chunks++
	if ok := in.wall.Allow(in.pos, int64(len(in.pcm))); ok < int64(len(in.pcm)) {
		// Media faster than real time: what runs past the budget is dropped, not queued.
		in.clamped++
		in.call.Discard(1)
		in.pcm = in.pcm[:ok]
	}
	return in.write(in.pcm)
}

// fill writes gap samples of silence, at most maxGapFill and never past the wall clock's
// budget; the rest of a larger jump is counted and becomes clock skew.
func (in *inbound) fill(gap int64) error {
	if gap < gapTolerance {
		return nil
	}
	if gap > maxGapFill {
		in.bigGaps++
		in.skew += gap - maxGapFill
		gap = maxGapFill
	}
	if ok := in.wall.Allow(in.pos, gap); ok < gap {
		in.clamped++
		in.skew += gap - ok
		gap = ok
		if gap == 0 {
			return nil
		}
	}
	in.gaps++
	in.gapSamples += gap
	for gap > 0 {
		n := min(gap, int64(len(in.zeros)))
		if err := in.write(in.zeros[:n]); err != nil {
			return err
		}
		gap -= n
	}
	return nil
}

func (in *inbound) write(p []int16) error {
	in.pos += int64(len(p))
	return in.up.WriteSample(p)
}

// deliver hands one 20 ms frame to the call.
func (in *inbound) deliver(p []int16) error {
	in.call.Deliver(p)
	in.framesIn++
	return nil
}

// readOnlyBytes views s as bytes without copying it (a 20 ms payload would otherwise cost an
// allocation per message). The result must never be written; chunk only reads it.
func readOnlyBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
