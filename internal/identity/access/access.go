package access

import (
	"fmt"
	"slices"
)

// Policy says who may pass a rule. The zero Policy is not a policy: a
// rule must name one, and Compile rejects a rule that does not.
type Policy uint8

const (
	// PolicyPublic admits anyone, signed in or not.
	PolicyPublic Policy = iota + 1
	// PolicyAuthenticated admits any signed-in user.
	PolicyAuthenticated
	// PolicyRoles admits a signed-in user with at least one of the rule's
	// roles.
	PolicyRoles
	// PolicyDeny admits no one.
	PolicyDeny
)

var policyNames = [...]string{
	PolicyPublic:        "public",
	PolicyAuthenticated: "authenticated",
	PolicyRoles:         "roles",
	PolicyDeny:          "deny",
}

// String returns the name a config file uses for p: "public",
// "authenticated", "roles" or "deny".
func (p Policy) String() string {
	if p > 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// ParsePolicy returns the Policy that String names as s.
func ParsePolicy(s string) (Policy, error) {
	for p, name := range policyNames {
		if p > 0 && name == s {
			return Policy(p), nil
		}
	}
	return 0, fmt.Errorf("%q is not one of public, authenticated, roles, deny", s)
}

// Decision is what the matching rule requires of a request.
type Decision struct {
	Policy Policy
	// Roles admit a user who has any one of them, for PolicyRoles. The
	// slice belongs to the Set that returned it and must not be modified.
	Roles []string
	// MFA asks for a second factor on top of the policy.
	MFA bool
}

// Identity is who is asking. A nil *Identity, or one with an empty User,
// is anonymous.
type Identity struct {
	User  string
	Roles []string
	// MFA reports that the session completed a second factor.
	MFA bool
}

// Outcome is what the gateway does with a request. The zero Outcome is
// none of them, so that a forgotten assignment never reads as Allowed.
type Outcome uint8

const (
	// Allowed lets the request through.
	Allowed Outcome = iota + 1
	// NeedLogin sends an anonymous caller to sign in.
	NeedLogin
	// NeedMFA sends a signed-in caller to complete a second factor.
	NeedMFA
	// Forbidden refuses the request; signing in again will not help.
	Forbidden
)

var outcomeNames = [...]string{
	Allowed:   "allowed",
	NeedLogin: "need_login",
	NeedMFA:   "need_mfa",
	Forbidden: "forbidden",
}

// String returns "allowed", "need_login", "need_mfa" or "forbidden".
func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Allow weighs d against id (nil when anonymous). A Decision whose Policy
// is not one of the four is Forbidden: an access check fails closed.
func Allow(d Decision, id *Identity) Outcome {
	switch d.Policy {
	case PolicyPublic:
		return Allowed
	case PolicyAuthenticated, PolicyRoles:
	default:
		return Forbidden
	}
	if id == nil || id.User == "" {
		return NeedLogin
	}
	// The second factor comes before the roles, so a session that has only
	// a password cannot tell which rules the user's roles would pass.
	if d.MFA && !id.MFA {
		return NeedMFA
	}
	if d.Policy == PolicyRoles && !slices.ContainsFunc(id.Roles, func(r string) bool { return slices.Contains(d.Roles, r) }) {
		return Forbidden
	}
	return Allowed
}
