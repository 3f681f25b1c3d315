package store

import (
	"strings"
	"testing"
)

// keySlot is the Redis Cluster hash slot of key: CRC16 (XMODEM) of its hash tag (the text
// between the first '{' and the next '}', when not empty) or of the whole key, mod 16384.
func keySlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for i := 0; i < len(key); i++ {
		crc ^= uint16(key[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}

func TestKeySlot(t *testing.T) {
	// Values from the Redis Cluster specification and CLUSTER KEYSLOT.
	for key, want := range map[string]int{
		"123456789":             0x31C3,
		"foo":                   12182,
		"{user1000}.following":  keySlot("user1000"),
		"foo{}{bar}":            keySlot("foo{}{bar}"),
		"foo{{bar}}zap":         keySlot("{bar"),
		"{user1000}.followers":  3443,
		"spar:{account}:users":  keySlot("account"),
		"spar:call:{abc}:info":  keySlot("abc"),
		"no tag at all }{ here": keySlot("no tag at all }{ here"),
	} {
		if got := keySlot(key); got != want%16384 {
			t.Errorf("slot of %q = %d, want %d", key, got, want%16384)
		}
	}
}

// sameSlot fails the test unless every key of group is in one slot.
func sameSlot(t *testing.T, group string, ks ...string) {
	t.Helper()
	slot := keySlot(ks[0])
	for _, k := range ks[1:] {
		if s := keySlot(k); s != slot {
			t.Errorf("%s: %q is in slot %d, %q in slot %d; keys used together must share one", group, ks[0], slot, k, s)
		}
	}
}

// TestKeysUsedTogetherShareASlot walks every key builder and checks that the keys each
// multi-key operation touches (MULTI/EXEC, Lua scripts, multi-key DEL, EXISTS and SUNION)
// are in one hash slot, as Redis Cluster requires.
func TestKeysUsedTogetherShareASlot(t *testing.T) {
	for _, prefix := range []string{"spar:", "test:x:0a1b:", "a"} {
		k := keys{prefix}
		for _, id := range []string{"c1", "CA0123456789abcdef", "2026-12-05T19:00:00Z-7", "x:y"} {
			fb := FeedbackKeys{prefix}
			// seal (MULTI), Delete (one DEL), touchScript, Exists in Follow and Get.
			sameSlot(t, "call "+id, k.info(id), k.live(id), k.timeline(id), k.record(id), k.sealLock(id),
				k.scorecard(id), k.scoreAttempts(id), fb.Comments(id), fb.Override(id), fb.Disagree(id))
		}
		if keySlot(k.info("c1")) == keySlot(k.info("c2")) && keySlot(k.info("c3")) == keySlot(k.info("c1")) {
			t.Errorf("calls c1, c2, c3 share a slot: the call tag does not spread calls")
		}

		a := AccountKeys{prefix}
		var acct []string
		for _, id := range []string{"alice", "u-2", "pat lee"} {
			acct = append(acct, a.User(id), a.UserTokens(id), a.UserSessions(id), a.Learner(id),
				a.Email(id+"@example.com"), a.Phone("+1555"+id), a.TeamMembers("support "+id),
				a.Session("h"+id), a.Token("t"+id), a.LoginFailures("email:"+id),
				a.LoginBackoff("email:"+id+"|ip:10.0.0.1"), a.KnownClient("email:"+id+"|ip:10.0.0.1"))
		}
		// Update, Delete, RenameTeam, CreateToken, open, endSessions span users and teams.
		sameSlot(t, "accounts", append(acct, a.Users(), a.Teams())...)

		as := AssignmentKeys{prefix}
		// create and delete (MULTI), forLearner (SUNION of a learner's and their teams' sets).
		sameSlot(t, "assignments", as.Assignment("a1"), as.Assignment("a2"), as.All(),
			as.Learner("alice"), as.Learner("bob"), as.Team("support"), as.Team("sales"))

		st := StudioKeys{prefix}
		// Publish (MULTI: the scenario's hash and the published index).
		sameSlot(t, "studio", st.Scenarios(), st.Scenario("s1"), st.Scenario("s2"), st.Version("s1", 3),
			st.Published())
	}
}

// TestLegacyRename checks that every layout 1 name maps to the name today's builders give.
func TestLegacyRename(t *testing.T) {
	const p = "spar:"
	a, as, st := AccountKeys{p}, AssignmentKeys{p}, StudioKeys{p}
	for old, want := range map[string]string{
		"account:user:alice":                         a.User("alice"),
		"account:users":                              a.Users(),
		"account:email:pat@example.com":              a.Email("pat@example.com"),
		"account:learner:alice":                      a.Learner("alice"),
		"account:phone:+15550100":                    a.Phone("+15550100"),
		"account:team:support:members":               a.TeamMembers("support"),
		"account:teams":                              a.Teams(),
		"account:session:abc":                        a.Session("abc"),
		"account:token:abc":                          a.Token("abc"),
		"account:user:alice:tokens":                  a.UserTokens("alice"),
		"account:user:alice:sessions":                a.UserSessions("alice"),
		"account:login-failures:email:a@b":           a.LoginFailures("email:a@b"),
		"account:login-backoff:email:a@b|ip:1.2.3.4": a.LoginBackoff("email:a@b|ip:1.2.3.4"),
		"account:known-client:email:a@b|ip:1.2.3.4":  a.KnownClient("email:a@b|ip:1.2.3.4"),
		"assignment:as-1":                            as.Assignment("as-1"),
		"assignments":                                as.All(),
		"assignments:learner:alice":                  as.Learner("alice"),
		"assignments:team:support":                   as.Team("support"),
		"studio:scenarios":                           st.Scenarios(),
		"studio:scenario:my-scen":                    st.Scenario("my-scen"),
		"studio:scenario:my-scen:v:4":                st.Version("my-scen", 4),
		"studio:published":                           st.Published(),
		"studio:trial:t1":                            st.Trial("t1"),
	} {
		got, ok := legacyRename(old)
		if !ok || p+got != want {
			t.Errorf("legacyRename(%q) = %q, %v; want %q", old, p+got, ok, want)
		}
	}
	for _, kept := range []string{"settings", "call:{c1}:info", "calls:live", "twilio:ticket:x", "layout"} {
		if got, ok := legacyRename(kept); ok {
			t.Errorf("legacyRename(%q) = %q, want the name kept", kept, got)
		}
	}
}
