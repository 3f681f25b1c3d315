// Package redisurl opens the Redis client a Spar URL names: one server, a Redis Cluster or a
// Sentinel-managed master. Every Spar command and the tests open Redis through it, so one
// URL (REDIS_URL, SPAR_TEST_REDIS_URL) picks the topology everywhere.
//
// The forms:
//
//	redis://[user:pass@]host:port[/db][?opts]      one server (go-redis ParseURL)
//	rediss://...                                   the same over TLS
//	unix://[user:pass@]/path/redis.sock[?db=N]     one server on a unix socket
//	redis+cluster://[user:pass@]h1:p1,h2:p2[?opts] a Redis Cluster, from any of its nodes
//	rediss+cluster://...                           the same over TLS
//	redis+sentinel://[user:pass@]s1:p1,s2:p2/master[/db][?opts]
//	                                               the master Sentinel names "master"
//
// opts are go-redis's query options (dial_timeout, pool_size, ...). For Sentinel the user and
// password are the master's; the Sentinels themselves are reached without a password.
package redisurl

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Kind is the topology a URL names.
type Kind int

const (
	// Single is one Redis server.
	Single Kind = iota
	// Cluster is a Redis Cluster.
	Cluster
	// Sentinel is a master found through Redis Sentinel.
	Sentinel
)

// String names the kind as the docs do.
func (k Kind) String() string {
	switch k {
	case Cluster:
		return "cluster"
	case Sentinel:
		return "sentinel"
	}
	return "single"
}

// KindOf returns the topology raw names, from its scheme alone.
func KindOf(raw string) Kind {
	scheme, _, _ := strings.Cut(raw, "://")
	switch strings.ToLower(scheme) {
	case "redis+cluster", "rediss+cluster":
		return Cluster
	case "redis+sentinel", "rediss+sentinel":
		return Sentinel
	}
	return Single
}

// Open returns a client for the Redis raw names. It does not connect: the first command does.
func Open(raw string) (redis.UniversalClient, error) {
	switch KindOf(raw) {
	case Cluster:
		opt, err := ClusterOptions(raw)
		if err != nil {
			return nil, err
		}
		return redis.NewClusterClient(opt), nil
	case Sentinel:
		opt, err := FailoverOptions(raw)
		if err != nil {
			return nil, err
		}
		opt.PipelineReadBufferSize = cmp.Or(opt.PipelineReadBufferSize, pipelineBuffer)
		opt.PipelineWriteBufferSize = cmp.Or(opt.PipelineWriteBufferSize, pipelineBuffer)
		return redis.NewFailoverClient(opt), nil
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	opt.PipelineReadBufferSize = cmp.Or(opt.PipelineReadBufferSize, pipelineBuffer)
	opt.PipelineWriteBufferSize = cmp.Or(opt.PipelineWriteBufferSize, pipelineBuffer)
	return redis.NewClient(opt), nil
}

// pipelineBuffer sizes a pipeline connection's buffers, each way, unless the URL sets
// pipeline_read_buffer_size or pipeline_write_buffer_size. Spar's pipelines carry a call's
// few events: go-redis's default, 128 KiB, would hold 2.5 MB on its ten pipeline connections
// under load; this is what its other connections have. (A cluster client has no pipeline
// pool unless the URL asks for one.)
const pipelineBuffer = 32 << 10

// ClusterOptions parses a redis+cluster:// or rediss+cluster:// URL.
func ClusterOptions(raw string) (*redis.ClusterOptions, error) {
	u, addrs, err := splitHosts(raw)
	if err != nil {
		return nil, err
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return nil, fmt.Errorf("redis cluster url: a cluster has only database 0, not %q", p)
	}
	u.Path = ""
	u.Host = addrs[0]
	q := u.Query()
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	u.RawQuery = q.Encode()
	opt, err := redis.ParseClusterURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("redis cluster url: %w", err)
	}
	return opt, nil
}

// FailoverOptions parses a redis+sentinel:// or rediss+sentinel:// URL.
func FailoverOptions(raw string) (*redis.FailoverOptions, error) {
	u, addrs, err := splitHosts(raw)
	if err != nil {
		return nil, err
	}
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(parts) == 0 || len(parts) > 2 {
		return nil, errors.New("redis sentinel url: the path must be /<master name>[/<db>]")
	}
	user := u.User
	u.User = nil
	u.Host = addrs[0]
	u.Path = "/"
	if len(parts) == 2 {
		u.Path += parts[1]
	}
	q := u.Query()
	q.Set("master_name", parts[0])
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	u.RawQuery = q.Encode()
	opt, err := redis.ParseFailoverURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("redis sentinel url: %w", err)
	}
	if user != nil {
		opt.Username = user.Username()
		opt.Password, _ = user.Password()
	}
	return opt, nil
}

// splitHosts parses raw with its scheme turned into redis or rediss and returns the
// comma-separated host:port list of its authority.
func splitHosts(raw string) (*url.URL, []string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, nil, errors.New("redis url: no scheme")
	}
	base, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	u, err := url.Parse(base + "://" + rest)
	if err != nil {
		return nil, nil, fmt.Errorf("redis url: %w", err)
	}
	var addrs []string
	for _, a := range strings.Split(u.Host, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return nil, nil, errors.New("redis url: no host")
	}
	return u, addrs, nil
}
