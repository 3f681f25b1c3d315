package main

import (
	"slices"
	"time"
)

// percentile returns the p-th percentile (0..100) of d by the nearest-rank method; 0 for none.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := int(p/100*float64(len(s)) + 0.999999)
	return s[min(max(rank, 1), len(s))-1]
}

func mean(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return sum / time.Duration(len(d))
}

// pacing is what one caller observed of the outbound audio.
type pacing struct {
	jitter []time.Duration // |inter-arrival - 20 ms| inside runs of persona audio, after the lead
	frames int             // media messages received
	late   int             // frames that arrived after the moment a far end would have played them
	lateAt []time.Time     // when each late frame arrived
}

// runGap separates two runs of persona audio: the server's playout stops between replies.
const runGap = 200 * time.Millisecond

// analyzePacing reads arrival times of outbound media messages. Within a run (arrivals closer
// than runGap) the first lead frames come as a burst; frame k is then due to play at
// start + k*frame. One arriving after that leaves a gap at the far end: it counts as late,
// and the far end's schedule slips by the delay, so one hiccup counts once.
func analyzePacing(arrivals []time.Time, frame time.Duration, lead int) pacing {
	p := pacing{frames: len(arrivals)}
	var start time.Time
	k := 0
	for i, at := range arrivals {
		if i == 0 || at.Sub(arrivals[i-1]) > runGap {
			start, k = at, 0
		}
		if k >= lead && k > 0 {
			d := at.Sub(arrivals[i-1]) - frame
			p.jitter = append(p.jitter, max(d, -d))
		}
		if due := start.Add(time.Duration(k) * frame); at.After(due) {
			p.late++
			p.lateAt = append(p.lateAt, at)
			start = start.Add(at.Sub(due))
		}
		k++
	}
	return p
}
