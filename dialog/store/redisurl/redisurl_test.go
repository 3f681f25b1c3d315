package redisurl

import (
	"fmt"
	"slices"
	"testing"
)

func TestKindOf(t *testing.T) {
	for raw, want := range map[string]Kind{
		"redis://127.0.0.1:6379/0":             Single,
		"unix:///run/redis.sock":               Single,
		"redis+cluster://a:1,b:2":              Cluster,
		"rediss+cluster://a:1":                 Cluster,
		"REDIS+CLUSTER://a:1":                  Cluster,
		"redis+sentinel://s:26379/mymaster":    Sentinel,
		"rediss+sentinel://s:26379/mymaster/1": Sentinel,
	} {
		if got := KindOf(raw); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestClusterOptions(t *testing.T) {
	opt, err := ClusterOptions("redis+cluster://u:p%40ss@10.0.0.1:7001,10.0.0.2:7002,10.0.0.3:7003?dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.1:7001", "10.0.0.2:7002", "10.0.0.3:7003"}; !slices.Equal(opt.Addrs, want) {
		t.Errorf("addrs %v, want %v", opt.Addrs, want)
	}
	if opt.Username != "u" || opt.Password != "p@ss" || opt.DialTimeout.Seconds() != 2 {
		t.Errorf("user %q password %q dial_timeout %v", opt.Username, opt.Password, opt.DialTimeout)
	}
	if opt.TLSConfig != nil {
		t.Error("TLS on a redis+cluster URL")
	}
	tls, err := ClusterOptions("rediss+cluster://h:1")
	if err != nil || tls.TLSConfig == nil {
		t.Errorf("rediss+cluster: TLS %v, err %v", tls != nil && tls.TLSConfig != nil, err)
	}
	for _, bad := range []string{"redis+cluster://a:1/3", "redis+cluster://", "redis+cluster://a:1?nope=1"} {
		if _, err := ClusterOptions(bad); err == nil {
			t.Errorf("ClusterOptions(%q) accepted", bad)
		}
	}
}

func TestFailoverOptions(t *testing.T) {
	opt, err := FailoverOptions("redis+sentinel://:secret@s1:26379,s2:26380/mymaster/2?dial_timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	if opt.MasterName != "mymaster" || opt.DB != 2 || opt.Password != "secret" || opt.SentinelPassword != "" {
		t.Errorf("master %q db %d password %q sentinel password %q", opt.MasterName, opt.DB, opt.Password, opt.SentinelPassword)
	}
	if want := []string{"s1:26379", "s2:26380"}; !slices.Equal(opt.SentinelAddrs, want) {
		t.Errorf("sentinels %v, want %v", opt.SentinelAddrs, want)
	}
	if _, err := FailoverOptions("redis+sentinel://s1:26379"); err == nil {
		t.Error("a sentinel URL without a master name was accepted")
	}
}

func TestOpenKinds(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://127.0.0.1:6379/0":          "*redis.Client",
		"redis+cluster://127.0.0.1:7001":    "*redis.ClusterClient",
		"redis+sentinel://127.0.0.1:1/mast": "*redis.Client",
	} {
		c, err := Open(raw)
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		if got := typeName(c); got != want {
			t.Errorf("Open(%q) is %s, want %s", raw, got, want)
		}
		_ = c.Close()
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
