// Package account holds Spar's local accounts and decides who may see what.
//
//  1. An admin creates accounts (`spar user add`, Accounts.Create): a name, an email, a
//     bcrypt password hash, a role (learner, trainer, admin), teams, and for learners the
//     learner ID their calls carry and the caller IDs they phone from.
//  2. Login (Accounts.Login) checks the password under a per-email and per-IP failure limit
//     and opens a session: a random token in an HttpOnly, SameSite=Lax cookie (Secure behind
//     TLS), stored in Redis only as its SHA-256, with its own CSRF token.
//  3. Middleware.Authenticate puts the caller's User in the request context, from the session
//     cookie or from an API token (Authorization: Bearer spar_...), and refuses state-changing
//     cookie requests without the session's CSRF token or from another origin.
//  4. The authorization checks (Accounts.MayCall, MayLearner, MayTeam, Guard) answer: admins
//     see everything, trainers the calls of learners in their teams, learners their own calls.
//     A call a user may not see answers 404, as if it did not exist.
//  5. SecurityHeaders sets a strict Content-Security-Policy and the usual headers on pages.
package account
