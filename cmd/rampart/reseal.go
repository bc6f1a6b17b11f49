package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"rampart/internal/config"
	"rampart/internal/portal"
)

func newUserResealCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "reseal",
		Short: "Re-encrypt second-factor secrets under the current secrets key",
		Long: `Re-encrypt every authenticator secret in the store that is sealed under
an old key (identity.old_secrets_keys) with the current one
(identity.secrets_key), after a key rotation:

  1. move the current key to identity.old_secrets_keys (with its ID),
  2. set a new identity.secrets_key and identity.secrets_key_id,
  3. reload or restart rampart, then run rampart user reseal,
  4. remove the old key from identity.old_secrets_keys.

It is safe to run again and while rampart serves: a secret already under
the current key is left alone. It stops with an error naming the user
when a secret opens with none of the configured keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(path)
			if err != nil {
				return configError(err)
			}
			ring, err := config.SecretsKeyring(cfg.Identity)
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
			st, err := openStore(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := portal.ResealSecrets(cmd.Context(), st, ring)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d secrets resealed under key %s\n", n, ring.CurrentID())
			return nil
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "rampart.yaml", "config file")
	return cmd
}
