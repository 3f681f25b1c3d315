package account

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// TokenInfo describes an API token without its secret. ID is the SHA-256 Redis keeps, which
// names the token for RevokeTokenID but cannot be used to sign in.
type TokenInfo struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	UserName string    `json:"user_name"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
}

// Tokens lists the API tokens of account id, or of every account when id is empty, newest
// first.
func (a *Accounts) Tokens(ctx context.Context, id string) ([]TokenInfo, error) {
	var users []*User
	if id != "" {
		u, err := a.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		users = []*User{u}
	} else {
		all, err := a.List(ctx)
		if err != nil {
			return nil, err
		}
		users = all
	}
	var out []TokenInfo
	for _, u := range users {
		hashes, err := a.rdb.SMembers(ctx, a.keys.UserTokens(u.ID)).Result()
		if err != nil {
			return nil, fmt.Errorf("account: tokens of %s: %w", u.ID, err)
		}
		cmds := make([]*redis.SliceCmd, len(hashes))
		_, err = a.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, h := range hashes {
				cmds[i] = p.HMGet(ctx, a.keys.Token(h), "name", "created")
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("account: tokens of %s: %w", u.ID, err)
		}
		for i, h := range hashes {
			v := cmds[i].Val()
			if len(v) != 2 || v[0] == nil {
				continue // revoked meanwhile
			}
			name, _ := v[0].(string)
			ms, _ := v[1].(string)
			n, _ := strconv.ParseInt(ms, 10, 64)
			out = append(out, TokenInfo{ID: h, User: u.ID, UserName: u.Name, Name: name, Created: time.UnixMilli(n).UTC()})
		}
	}
	slices.SortFunc(out, func(x, y TokenInfo) int { return y.Created.Compare(x.Created) })
	return out, nil
}
