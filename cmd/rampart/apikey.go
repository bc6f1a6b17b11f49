package main

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"rampart/internal/identity/apikey"
	"rampart/internal/store"
)

func newAPIKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apikey",
		Short: "Manage API keys for machine clients",
		Long: `Create, list and revoke API keys. A client sends its key as
"Authorization: Bearer rk_..." (or in identity.api_key_header); the identity
stage treats it as a caller with the key's roles. rampart stores only a
SHA-256 hash of each key: the key itself is shown once, at creation.`,
	}
	cmd.AddCommand(newAPIKeyCreateCmd(), newAPIKeyListCmd(), newAPIKeyRevokeCmd())
	return cmd
}

func newAPIKeyCreateCmd() *cobra.Command {
	var (
		path, name, roles, user string
		expires                 time.Duration
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME [--roles a,b] [--user NAME] [--expires 720h]",
		Short: "Create a key and print it once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return errors.New("--name is required: say what the key is for (e.g. --name billing-worker)")
			}
			if expires < 0 {
				return errors.New("--expires must be positive (e.g. 720h), or 0 for a key that does not expire")
			}
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			userID := ""
			if user != "" {
				u, err := findUser(cmd.Context(), st, user)
				if err != nil {
					return err
				}
				userID = u.ID
			}
			m, err := apikey.New(apikey.Config{}, st, nil, nil)
			if err != nil {
				return err
			}
			var exp time.Time
			if expires > 0 {
				exp = time.Now().Add(expires).UTC()
			}
			key, rec, err := m.Create(cmd.Context(), name, userID, splitRoles(roles), exp)
			if err != nil {
				return fmt.Errorf("create API key: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\n", key)
			fmt.Fprintf(cmd.ErrOrStderr(), "created API key %s (%s); the line above is the key: store it now, it is not shown again\n", rec.ID, rec.Name)
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	cmd.Flags().StringVar(&name, "name", "", "what the key is for")
	cmd.Flags().StringVar(&roles, "roles", "", "roles, comma-separated")
	cmd.Flags().StringVar(&user, "user", "", "the account the key acts for (default: a service key)")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime (e.g. 720h); 0 = no expiry")
	return cmd
}

func newAPIKeyListCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the keys (never the keys themselves)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			keys, err := st.ListAPIKeys(cmd.Context(), store.APIKeyFilter{})
			if err != nil {
				return fmt.Errorf("list API keys: %w", err)
			}
			now := time.Now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLES\tSTATE\tEXPIRES\tLAST USED")
			for _, k := range keys {
				state := "active"
				switch {
				case !k.RevokedAt.IsZero():
					state = "revoked"
				case !k.ExpiresAt.IsZero() && !k.ExpiresAt.After(now):
					state = "expired"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, dash(joinRoles(k.Roles)), state, day(k.ExpiresAt), day(k.LastUsedAt))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

func newAPIKeyRevokeCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a key (gateways stop accepting it within seconds)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := userStore(cmd, path)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeAPIKey(cmd.Context(), args[0], time.Now().UTC()); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no API key %q (rampart apikey list shows them)", args[0])
				}
				return fmt.Errorf("revoke API key: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked API key %s\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}

func joinRoles(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ","
		}
		out += r
	}
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
