package scoring

import (
	"fmt"
	"time"
)

// clock formats media time as m:ss, as the learner page and `spar score` show it.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
