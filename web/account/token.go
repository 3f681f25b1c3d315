package account

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise and scan for.
const TokenPrefix = "spar_"

// CreateToken issues an API token for account id, named for what uses it. The token is
// returned once; Redis keeps only its SHA-256.
func (a *Accounts) CreateToken(ctx context.Context, id, name string) (string, error) {
	if _, err := a.Get(ctx, id); err != nil {
		return "", err
	}
	token := TokenPrefix + randomToken()
	h := hashToken(token)
	_, err := a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, a.keys.Token(h), "user", id, "name", name, "created", strconv.FormatInt(a.now().UnixMilli(), 10))
		p.SAdd(ctx, a.keys.UserTokens(id), h)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("account: create token for %s: %w", id, err)
	}
	return token, nil
}

// TokenSession returns the session an API token stands for, or ErrUnauthenticated.
func (a *Accounts) TokenSession(ctx context.Context, token string) (*Session, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, ErrUnauthenticated
	}
	id, err := a.rdb.HGet(ctx, a.keys.Token(hashToken(token)), "user").Result()
	if errors.Is(err, redis.Nil) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("account: token: %w", err)
	}
	u, err := a.activeUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return &Session{User: u}, nil
}

// RevokeToken deletes an API token.
func (a *Accounts) RevokeToken(ctx context.Context, token string) error {
	return a.RevokeTokenID(ctx, hashToken(token))
}

// RevokeTokenID deletes the API token whose TokenInfo.ID is h, or answers ErrNotFound.
func (a *Accounts) RevokeTokenID(ctx context.Context, h string) error {
	id, err := a.rdb.HGet(ctx, a.keys.Token(h), "user").Result()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("account: revoke token: %w", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("account: revoke token: %w", err)
	}
	_, err = a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, a.keys.Token(h))
		p.SRem(ctx, a.keys.UserTokens(id), h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("account: revoke token: %w", err)
	}
	return nil
}
