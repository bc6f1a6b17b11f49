package access

import "testing"

func TestAllow(t *testing.T) {
	anon := (*Identity)(nil)
	nameless := &Identity{Roles: []string{"admin"}, MFA: true}
	pw := &Identity{User: "ann", Roles: []string{"dev", "ops"}}
	mfa := &Identity{User: "ann", Roles: []string{"dev", "ops"}, MFA: true}
	admin := &Identity{User: "bob", Roles: []string{"admin"}, MFA: true}

	public := Decision{Policy: PolicyPublic}
	authn := Decision{Policy: PolicyAuthenticated}
	authnMFA := Decision{Policy: PolicyAuthenticated, MFA: true}
	roles := Decision{Policy: PolicyRoles, Roles: []string{"admin", "ops"}}
	rolesMFA := Decision{Policy: PolicyRoles, Roles: []string{"admin"}, MFA: true}
	deny := Decision{Policy: PolicyDeny}

	tests := []struct {
		name string
		d    Decision
		id   *Identity
		want Outcome
	}{
		{"public anonymous", public, anon, Allowed},
		{"public signed in", public, pw, Allowed},
		{"authenticated anonymous", authn, anon, NeedLogin},
		{"authenticated empty user is anonymous", authn, nameless, NeedLogin},
		{"authenticated signed in", authn, pw, Allowed},
		{"mfa anonymous", authnMFA, anon, NeedLogin},
		{"mfa password only", authnMFA, pw, NeedMFA},
		{"mfa with second factor", authnMFA, mfa, Allowed},
		{"roles anonymous", roles, anon, NeedLogin},
		{"roles one of them", roles, pw, Allowed},
		{"roles none of them", roles, &Identity{User: "eve", Roles: []string{"dev"}}, Forbidden},
		{"roles no roles at all", roles, &Identity{User: "eve"}, Forbidden},
		{"roles compare exactly", roles, &Identity{User: "eve", Roles: []string{"Admin"}}, Forbidden},
		{"roles and mfa, has both", rolesMFA, admin, Allowed},
		{"roles and mfa, password only", rolesMFA, &Identity{User: "bob", Roles: []string{"admin"}}, NeedMFA},
		{"mfa asked before roles", rolesMFA, pw, NeedMFA},
		{"roles and mfa, wrong role", rolesMFA, mfa, Forbidden},
		{"deny anonymous", deny, anon, Forbidden},
		{"deny admin", deny, admin, Forbidden},
		{"zero decision fails closed", Decision{}, admin, Forbidden},
		{"unknown policy fails closed", Decision{Policy: 9}, admin, Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allow(tt.d, tt.id); got != tt.want {
				t.Errorf("Allow(%+v, %+v) = %v, want %v", tt.d, tt.id, got, tt.want)
			}
		})
	}
}

func TestPolicyNames(t *testing.T) {
	for _, p := range []Policy{PolicyPublic, PolicyAuthenticated, PolicyRoles, PolicyDeny} {
		got, err := ParsePolicy(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v, want %v", p.String(), got, err, p)
		}
	}
	for _, s := range []string{"", "Deny", "one_factor", "Policy(0)"} {
		if p, err := ParsePolicy(s); err == nil {
			t.Errorf("ParsePolicy(%q) = %v, want an error", s, p)
		}
	}
	if got := Policy(0).String(); got != "Policy(0)" {
		t.Errorf("Policy(0).String() = %q", got)
	}
	for o, want := range map[Outcome]string{Allowed: "allowed", NeedLogin: "need_login", NeedMFA: "need_mfa", Forbidden: "forbidden", 0: "Outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", uint8(o), got, want)
		}
	}
}
