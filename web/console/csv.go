package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/web/account"
)

// csvHeader is the first line of the calls export.
var csvHeader = []string{"call_id", "learner", "team", "scenario", "started", "duration_s", "score", "pass", "end_reason"}

// callsCSV exports the calls list with the request's filters and sort (not paged, at most
// MaxScan calls) as CSV, with the same access rules as the list: only calls the user may see.
// Started is RFC 3339 in UTC; score and pass are empty for calls not scored; team lists the
// owning account's teams separated by "; ".
func (c *Console) callsCSV(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), account.UserFrom(r.Context())
	q, err := parseListQuery(r.URL.Query())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q.Page = 1
	rows, _, err := c.listRows(ctx, u, q, c.cfg.MaxScan)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	teams := map[string]string{}
	for _, rw := range rows {
		if _, ok := teams[rw.LearnerAccount]; ok || rw.LearnerAccount == "" {
			continue
		}
		if owner, err := c.accts.Get(ctx, rw.LearnerAccount); err == nil {
			teams[rw.LearnerAccount] = strings.Join(owner.Teams, "; ")
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="spar-calls-%s.csv"`, c.now().Format("20060102-1504")))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	for _, rw := range rows {
		score, pass := "", ""
		if rw.Scored {
			score, pass = strconv.Itoa(rw.Score), strconv.FormatBool(rw.Pass)
		}
		_ = cw.Write([]string{rw.Rec.ID, cell(rw.LearnerName), cell(teams[rw.LearnerAccount]), cell(rw.Rec.Scenario),
			rw.Rec.Started.UTC().Format(time.RFC3339), strconv.Itoa(int(rw.Rec.Duration.Round(time.Second) / time.Second)),
			score, pass, cell(rw.Rec.EndReason)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		c.log.Warn("export calls", "err", err)
	}
}

// cell defuses free text a spreadsheet would run as a formula (CSV injection): text
// starting with = + - @ or a control character gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
